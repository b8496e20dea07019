using Propeller.Manager.Scheduling;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>
/// What a task's cli_args ask of a proplet, read as wasmtime reads its <c>-S</c> options. cli_args no
/// proplet accepts (only a task stored before the manager checked them can have such) ask for nothing:
/// the proplet that gets the task fails it saying why.
/// </summary>
public sealed class TaskRequirementsTests
{
    [Theory]
    [InlineData("-S|nn|--dir=/home/proplet/fixture::fixture")]
    [InlineData("-Snn")]
    [InlineData("-S=nn")]
    [InlineData("--wasi|nn")]
    [InlineData("--wasi=nn")]
    [InlineData("-S|nn=y")]
    [InlineData("--wasi-modules=experimental-wasi-nn")]
    public void Asking_for_wasi_nn_in_any_of_wasmtimes_spellings_needs_a_wasi_nn_proplet(string args)
    {
        var needs = TaskRequirements.From(args.Split('|'));
        Assert.True(needs.NeedsNn);
        Assert.Empty(needs.NnEncodings);
        Assert.Equal("wasi-nn (-S nn in its cli_args)", needs.Describe());
    }

    [Theory]
    [InlineData("")]
    [InlineData("--dir=/nn::nn")]
    [InlineData("-S|nn=n")]
    [InlineData("-S|threads")]
    [InlineData("-S|threads,nn")]
    [InlineData("nn")]
    [InlineData("-S")]
    public void Other_arguments_and_arguments_no_proplet_accepts_need_nothing_special(string args)
    {
        Assert.Same(TaskRequirements.None, TaskRequirements.From(args.Length == 0 ? [] : args.Split('|')));
    }

    [Fact]
    public void A_named_graph_needs_its_encoding_once_however_often_it_is_named()
    {
        var needs = TaskRequirements.From(["-S", "nn-graph=ONNX::/models/a", "-S", "nn-graph=onnx::/models/b,nn-graph=openvino::/models/c"]);
        Assert.True(needs.NeedsNn);
        Assert.Equal(["onnx", "openvino"], needs.NnEncodings);
        Assert.Equal("wasi-nn with the onnx and openvino graph encodings (-S nn-graph in its cli_args)", needs.Describe());
    }

    [Fact]
    public void A_task_without_cli_args_needs_nothing()
    {
        Assert.Same(TaskRequirements.None, TaskRequirements.From(null));
    }
}
