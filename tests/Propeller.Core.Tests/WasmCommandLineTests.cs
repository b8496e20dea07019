using Propeller.Core.Commands;

namespace Propeller.Core.Tests;

public sealed class WasmCommandLineTests
{
    [Fact]
    public void Reads_the_seeds_wasi_nn_command()
    {
        // Seed: wasmtime run -S nn --dir=/home/proplet/fixture::fixture classification.wasm
        var line = WasmCommandLine.Parse(["run", "-S", "nn", "--dir=/home/proplet/fixture::fixture", "classification.wasm"], expectModule: true);

        Assert.True(line.Nn);
        Assert.Equal(["/home/proplet/fixture::fixture"], line.Dirs);
        Assert.Equal("classification.wasm", line.Module);
        Assert.Empty(line.Arguments);
    }

    [Fact]
    public void Reads_a_tasks_cli_args_without_a_module()
    {
        var line = WasmCommandLine.Parse(["-S", "nn", "--dir", "/data::data", "--env", "MODE=fast"], expectModule: false);

        Assert.Equal(["/data::data"], line.Dirs);
        Assert.Equal([new KeyValuePair<string, string>("MODE", "fast")], line.Env);
        Assert.Null(line.Module);
    }

    [Fact]
    public void Everything_after_the_module_belongs_to_the_guest()
    {
        var line = WasmCommandLine.Parse(["--invoke", "add", "m.wasm", "--dir=x", "-S", "nn"], expectModule: true);

        Assert.Equal("add", line.Invoke);
        Assert.Empty(line.Dirs);
        Assert.False(line.Nn);
        Assert.Equal(["--dir=x", "-S", "nn"], line.Arguments);
    }

    [Fact]
    public void A_double_dash_ends_the_flags()
    {
        var line = WasmCommandLine.Parse(["--", "-odd-name.wasm", "a"], expectModule: true);

        Assert.Equal("-odd-name.wasm", line.Module);
        Assert.Equal(["a"], line.Arguments);
    }

    [Fact]
    public void Reads_attached_and_comma_separated_option_values()
    {
        var line = WasmCommandLine.Parse(["-Snn,nn-graph=onnx::/models/cls", "-W", "timeout=1m30s,max-memory-size=1048576", "m.wasm"], expectModule: true);

        Assert.True(line.Nn);
        Assert.Equal([("onnx", "/models/cls")], line.NnGraphs);
        Assert.Equal(TimeSpan.FromSeconds(90), line.Timeout);
        Assert.Equal(1048576ul, line.MaxMemoryBytes);
    }

    [Theory]
    [InlineData("--wat", "unknown option `--wat`")]
    [InlineData("-S threads", "unknown WASI option `-S threads`")]
    [InlineData("-W fuel=10", "unknown wasm option `-W fuel=10`")]
    [InlineData("-W timeout=soon", "write a duration such as -W timeout=30s")]
    [InlineData("-S nn-graph=onnx", "write -S nn-graph=ENCODING::DIR")]
    [InlineData("--dir=::guest", "write HOST_DIR or HOST_DIR::GUEST_DIR")]
    [InlineData("--dir=a::b::c", "write HOST_DIR or HOST_DIR::GUEST_DIR")]
    [InlineData("--env =x", "write NAME=VALUE")]
    [InlineData("--invoke", "--invoke needs a value")]
    public void Refuses_what_it_does_not_understand_and_says_what_it_accepts(string args, string message)
    {
        var error = Assert.Throws<WasmCommandLineException>(() => WasmCommandLine.Parse(args.Split(' '), expectModule: false));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Positional_arguments_in_cli_args_are_refused_with_where_they_belong()
    {
        var error = Assert.Throws<WasmCommandLineException>(() => WasmCommandLine.Parse(["-S", "nn", "input.jpg"], expectModule: false));

        Assert.Contains("put the guest's arguments in inputs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-S|nn")]
    [InlineData("-Snn")]
    [InlineData("-S=nn")]
    [InlineData("--wasi|nn")]
    [InlineData("--wasi=nn")]
    [InlineData("-S|nn=y")]
    [InlineData("--wasi-modules=experimental-wasi-nn")]
    public void Wasi_nn_is_asked_for_in_any_of_wasmtimes_spellings(string args)
    {
        Assert.True(WasmCommandLine.ParseCliArgs(args.Split('|')).Nn);
    }

    [Theory]
    [InlineData("--dir=/data::data")]
    [InlineData("--dir|/data::data")]
    public void A_directory_is_read_attached_or_next(string args)
    {
        Assert.Equal(["/data::data"], WasmCommandLine.ParseCliArgs(args.Split('|')).Dirs);
    }

    [Theory]
    [InlineData("--wasi-modules=experimental-wasi-threads", "only experimental-wasi-nn is read")]
    [InlineData("-S|inherit-env", "unknown WASI option `-S inherit-env`")]
    [InlineData("-S|inherit-network=y", "unknown WASI option `-S inherit-network=y`")]
    [InlineData("--wasm=max-wasm-stack=99999999", "unknown wasm option `-W max-wasm-stack=99999999`")]
    [InlineData("--mapdir=/::/", "unknown option `--mapdir=/::/`; accepted: -S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME=VALUE, --invoke NAME, -W timeout=DURATION, -W max-memory-size=BYTES")]
    public void Cli_args_refuse_every_flag_outside_the_grammar(string args, string message)
    {
        var error = Assert.Throws<WasmCommandLineException>(() => WasmCommandLine.ParseCliArgs(args.Split('|')));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tasks_env_flag_must_carry_its_value_so_the_proplets_own_variables_stay_its_own()
    {
        Environment.SetEnvironmentVariable("PROPELLER_TEST_OWN_SECRET", "not for guests");
        try
        {
            var error = Assert.Throws<WasmCommandLineException>(() => WasmCommandLine.ParseCliArgs(["--env", "PROPELLER_TEST_OWN_SECRET"]));

            Assert.Equal(
                "--env PROPELLER_TEST_OWN_SECRET: a task gives every variable its value (--env PROPELLER_TEST_OWN_SECRET=VALUE, or the task's env); a bare name would pass the proplet's own PROPELLER_TEST_OWN_SECRET",
                error.Message);
            // A command typed by the machine's own user may pass its environment, as wasmtime's does.
            Assert.Equal([new KeyValuePair<string, string>("PROPELLER_TEST_OWN_SECRET", "not for guests")], WasmCommandLine.Parse(["--env", "PROPELLER_TEST_OWN_SECRET", "m.wasm"], expectModule: true).Env);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PROPELLER_TEST_OWN_SECRET", null);
        }
    }

    [Fact]
    public void Written_anew_for_an_external_runtime_a_line_says_the_same_in_wasmtimes_current_spelling()
    {
        var line = WasmCommandLine.ParseCliArgs(
            ["run", "--wasi-modules=experimental-wasi-nn", "-Snn-graph=onnx::/m/cls", "--dir", "/a b::c", "--env=K=v w", "--invoke", "add", "--wasm=timeout=1m30s,max-memory-size=65536"]);

        string[] expected = ["-S", "nn", "-S", "nn-graph=onnx::/m/cls", "--dir=/a b::c", "--env", "K=v w", "--invoke", "add", "-W", "timeout=90000ms", "-W", "max-memory-size=65536"];
        Assert.Equal(expected, line.ToArguments());
        Assert.Equal(line.ToArguments(), WasmCommandLine.ParseCliArgs(line.ToArguments()).ToArguments());
        Assert.Empty(WasmCommandLine.ParseCliArgs([]).ToArguments());
    }

    [Fact]
    public void A_command_needs_a_module()
    {
        var error = Assert.Throws<WasmCommandLineException>(() => WasmCommandLine.Parse(["run", "-S", "nn"], expectModule: true));

        Assert.Contains("no module given", error.Message, StringComparison.Ordinal);
    }
}
