using System.Diagnostics;
using Propeller.Testing;

namespace Propeller.WasmCli.Tests;

/// <summary>The real <c>build/propeller-wasm</c>, run as the proplet's host runtime and users run it.</summary>
public sealed class PropellerWasmCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static string Guest(string name) => Path.Combine(Repository.BuildDirectory, "guests", name + ".wasm");

    [Fact]
    public async Task Runs_a_command_with_arguments_environment_and_a_mapped_directory()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "greeting.txt"), "from the host\n");

        var run = await RunAsync("run", "--env", "GREETING=hi", $"--dir={_directory.Path}::fixture", Guest("greet"), "a", "b");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Hello from a WebAssembly guest\narg[1]=a\narg[2]=b\nGREETING=hi\nfixture: from the host\n", run.Stdout);
    }

    [Fact]
    public async Task Exits_with_the_guests_exit_code_and_passes_its_stderr()
    {
        var run = await RunAsync(Guest("exit-code"), "9");

        Assert.Equal(9, run.ExitCode);
        Assert.Equal("guest error: the model file is missing (exiting with 9)\n", run.Stderr);
    }

    [Fact]
    public async Task Invoke_prints_the_results_one_per_line()
    {
        var run = await RunAsync("--invoke", "swap", Guest("arith"), "7", "-9007199254740993");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("-9007199254740993\n7\n", run.Stdout);
    }

    [Fact]
    public async Task A_wasi_nn_guest_without_nn_fails_like_wasmtime()
    {
        var run = await RunAsync(Guest("nn-import"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("unknown import: `wasi_ephemeral_nn::get_output` has not been defined", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_stops_an_endless_loop_with_the_trap_status()
    {
        var run = await RunAsync("-W", "timeout=300ms", Guest("forever"));

        Assert.Equal(134, run.ExitCode);
        Assert.Contains("deadline exceeded after 0.3 s", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trap_is_reported_in_wasmtime_words()
    {
        var run = await RunAsync("--invoke", "crash", Guest("arith"));

        Assert.Equal(134, run.ExitCode);
        Assert.Contains("wasm trap: wasm `unreachable` instruction executed", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--frobnicate", "unknown option `--frobnicate`")]
    [InlineData("-S threads", "unknown WASI option `-S threads`")]
    [InlineData("run", "no module given")]
    public async Task Refuses_a_command_line_it_does_not_understand(string args, string message)
    {
        var run = await RunAsync(args.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Says_which_file_it_could_not_read()
    {
        var run = await RunAsync(Path.Combine(_directory.Path, "missing.wasm"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("failed to read input file", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Says_which_directory_it_cannot_map()
    {
        var run = await RunAsync($"--dir={_directory.Path}/nope::data", Guest("greet"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{_directory.Path}/nope", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_accepted_options()
    {
        var run = await RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--dir <HOST_DIR[::GUEST_DIR]>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-W timeout=<DURATION>", run.Stdout, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Repository.Executable("propeller-wasm"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _directory.Dispose();
}
