using Propeller.Core.Configuration;
using Propeller.WasiNn;

namespace Propeller.Proplet.Tests;

/// <summary>The proplet's wasi-nn settings as an operator writes them, and what a mistake in them says.</summary>
public sealed class NnSettingsTests
{
    private static PropletOptions Read(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        return PropletOptions.FromSettings(new Settings(name => values.GetValueOrDefault(name)));
    }

    [Fact]
    public void Graphs_encodings_and_threads_are_read_from_the_environment()
    {
        var options = Read(("PROPLET_NN_GRAPHS", "onnx::/models/cls, onnx::/models/det/"), ("PROPLET_NN_THREADS", "2"), ("PROPLET_NN_ENCODINGS", "openvino,ONNX"));

        Assert.Equal(["cls", "det"], options.NnGraphs.Select(g => g.Name));
        Assert.All(options.NnGraphs, g => Assert.Equal(GraphEncoding.Onnx, g.Encoding));
        Assert.Equal(2, options.NnThreads);
        Assert.Equal(["openvino", "onnx"], options.NnEncodings!);
        Assert.Null(Read().NnEncodings);
        Assert.Empty(Read().NnGraphs);
    }

    [Theory]
    [InlineData("PROPLET_NN_GRAPHS", "/models/cls", "ENCODING::DIR")]
    [InlineData("PROPLET_NN_GRAPHS", "keras::/models/cls", "unknown graph encoding `keras`")]
    [InlineData("PROPLET_NN_ENCODINGS", "onnx,keras", "comma-separated list of onnx, openvino")]
    [InlineData("PROPLET_NN_THREADS", "many", "")]
    public void A_mistake_names_the_variable_and_what_it_takes(string name, string value, string expected)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read((name, value)));
        Assert.Equal(name, error.Name);
        Assert.Contains(expected, error.Message);
    }
}
