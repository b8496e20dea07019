using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests;

/// <summary>
/// The host runtime against real processes: real guests through the Node-based wasmtime-style
/// wrapper, and small shell scripts standing in for a runtime where a test needs to see exactly
/// what the runtime receives.
/// </summary>
public sealed class HostRuntimeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_guest_gets_its_arguments_env_and_preopened_directory()
    {
        var fixture = Directory.CreateDirectory(Path.Combine(_directory.Path, "fixture")).FullName;
        await File.WriteAllTextAsync(Path.Combine(fixture, "greeting.txt"), "read through the preopen\n");
        var runtime = Runtime(Repository.NodeWasiRuntime);

        var outcome = await runtime.RunAsync(
            Request(Repository.Guest("greet"), cliArgs: [$"--dir={fixture}::fixture"], inputs: ["first", "2"], env: new() { ["GREETING"] = "hi there" }),
            CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            "Hello from a WebAssembly guest\narg[1]=first\narg[2]=2\nGREETING=hi there\nfixture: read through the preopen\n",
            outcome.Output);
    }

    [Fact]
    public async Task A_non_zero_exit_fails_with_the_status_and_stderr()
    {
        var outcome = await Runtime(Repository.NodeWasiRuntime).RunAsync(Request(Repository.Guest("exit-code"), inputs: ["5"]), CancellationToken.None);

        Assert.Equal(5, outcome.ExitCode);
        Assert.Equal("Process exited with status 5: guest error: the model file is missing (exiting with 5)", outcome.Error);
        Assert.Equal("about to fail\n", outcome.Output);
    }

    [Fact]
    public async Task Output_beyond_the_cap_is_cut_with_a_marker()
    {
        var outcome = await Runtime(Repository.NodeWasiRuntime, maxOutputBytes: 1024).RunAsync(Request(Repository.Guest("chatty"), inputs: ["5000"]), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.StartsWith(new string('x', 1023) + "\n", outcome.Output, StringComparison.Ordinal);
        Assert.EndsWith("\n[output truncated: 5000 bytes in all, the first 1024 kept (PROPLET_MAX_OUTPUT_BYTES)]", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_reach_the_runtime_verbatim_without_a_shell()
    {
        var spaced = Directory.CreateDirectory(Path.Combine(_directory.Path, "a b")).FullName;
        var script = Script("print-args", PrintArgs);
        var outcome = await Runtime(script).RunAsync(
            Request(Repository.Guest("greet"), cliArgs: ["-S", "nn", $"--dir={spaced}::c"], inputs: ["$(id)", "x;y"], env: new() { ["K"] = "v w" }),
            CancellationToken.None);

        var lines = outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["<--env>", "<K=v w>", "<-S>", "<nn>", $"<--dir={RealPath.Of(spaced)}::c>"], lines[..5]);
        Assert.Matches(@"^<.*/proplet_[0-9a-f-]{36}\.wasm>$", lines[5]);
        Assert.Equal(["<$(id)>", "<x;y>"], lines[6..]);
    }

    [Fact]
    public async Task The_runtime_gets_the_flags_as_the_grammar_read_them_with_relative_directories_made_absolute()
    {
        var fixture = Directory.CreateDirectory(Path.Combine(_directory.Path, "fixture")).FullName;
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fixture);
        var script = Script("print-args", PrintArgs);

        var outcome = await Runtime(script).RunAsync(
            Request(Repository.Guest("greet"), cliArgs: ["run", "--wasi-modules=experimental-wasi-nn", "--dir", relative, "--wasm=timeout=1m30s", "-Snn-graph=onnx::" + relative]),
            CancellationToken.None);

        var real = RealPath.Of(fixture);
        var lines = outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["<-S>", "<nn>", "<-S>", $"<nn-graph=onnx::{fixture}>", $"<--dir={real}::{relative}>", "<-W>", "<timeout=90000ms>"], lines[..^1]);
    }

    [Fact]
    public async Task Wasmtime_and_propeller_wasm_get_the_proplets_memory_cap_unless_the_task_asks_for_less()
    {
        var wasmtime = Script("wasmtime", PrintArgs);
        var other = Script("other-runtime", PrintArgs);
        var options = Options(wasmtime) with { MaxMemoryBytes = 8 * 1024 * 1024 };

        var capped = await new HostRuntime(options, NullLogger<HostRuntime>.Instance).RunAsync(Request(Repository.Guest("greet")), CancellationToken.None);
        var lower = await new HostRuntime(options, NullLogger<HostRuntime>.Instance).RunAsync(Request(Repository.Guest("greet"), cliArgs: ["-W", "max-memory-size=65536"]), CancellationToken.None);
        var higher = await new HostRuntime(options, NullLogger<HostRuntime>.Instance).RunAsync(Request(Repository.Guest("greet"), cliArgs: ["-W", "max-memory-size=1073741824"]), CancellationToken.None);
        var unknown = await new HostRuntime(options with { ExternalWasmRuntime = other }, NullLogger<HostRuntime>.Instance).RunAsync(Request(Repository.Guest("greet")), CancellationToken.None);

        Assert.StartsWith("<-W>\n<max-memory-size=8388608>\n", capped.Output, StringComparison.Ordinal);
        Assert.StartsWith("<-W>\n<max-memory-size=65536>\n", lower.Output, StringComparison.Ordinal);
        Assert.StartsWith("<-W>\n<max-memory-size=8388608>\n", higher.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("max-memory-size", unknown.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mystery", "unknown option `--mystery`; accepted: -S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME=VALUE")]
    [InlineData("-S|inherit-env", "unknown WASI option `-S inherit-env`")]
    [InlineData("--env|HOME", "--env HOME: a task gives every variable its value")]
    [InlineData("--dir=/etc::etc", "--dir=/etc::etc: /etc is not inside PROPLET_ALLOWED_DIRS (")]
    public async Task Refused_cli_args_fail_the_task_before_the_runtime_is_started(string cliArgs, string error)
    {
        var spawned = Path.Combine(_directory.Path, "spawned");
        var script = Script("wasmtime", $"touch {spawned}");

        var outcome = await Runtime(script).RunAsync(Request(Repository.Guest("greet"), cliArgs: cliArgs.Split('|')), CancellationToken.None);

        Assert.Contains(error, outcome.Error, StringComparison.Ordinal);
        Assert.Null(outcome.ExitCode);
        Assert.False(File.Exists(spawned), "the runtime was started");
    }

    [Fact]
    public async Task The_proplets_own_settings_do_not_reach_the_task_but_its_env_does()
    {
        Environment.SetEnvironmentVariable("PROPLET_TEST_SECRET", "do-not-leak");
        try
        {
            var script = Script("print-env", "env");
            var outcome = await Runtime(script).RunAsync(Request(Repository.Guest("greet"), env: new() { ["MODEL_DIR"] = "/models" }), CancellationToken.None);

            Assert.DoesNotContain("PROPLET_TEST_SECRET", outcome.Output, StringComparison.Ordinal);
            Assert.Contains("MODEL_DIR=/models\n", outcome.Output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PROPLET_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task Stopping_kills_the_runtime_and_its_children_and_removes_the_module()
    {
        var pids = Path.Combine(_directory.Path, "pids");
        var modules = Path.Combine(_directory.Path, "module-path");
        var script = Script("spawner", $"sleep 300 & echo $! > {pids}; echo $$ >> {pids}; for a in \"$@\"; do case \"$a\" in *.wasm) echo \"$a\" > {modules};; esac; done; wait");
        using var stop = new CancellationTokenSource();
        var run = Runtime(script).RunAsync(Request(Repository.Guest("sleep")), stop.Token);
        await WaitForAsync(() => File.Exists(pids) && File.ReadAllLines(pids).Length == 2 && File.Exists(modules));
        var started = File.ReadAllLines(pids).Select(int.Parse).ToArray();
        var module = File.ReadAllText(modules).Trim();
        Assert.True(File.Exists(module));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        foreach (var pid in started)
        {
            await WaitForAsync(() => !IsRunning(pid));
        }

        Assert.False(File.Exists(module));
    }

    [Fact]
    public async Task A_missing_runtime_fails_the_task_naming_the_variable()
    {
        var outcome = await Runtime(null).RunAsync(Request(Repository.Guest("greet")), CancellationToken.None);
        Assert.StartsWith("no external WebAssembly runtime is configured: set PROPLET_EXTERNAL_WASM_RUNTIME", outcome.Error, StringComparison.Ordinal);
    }

    private const string PrintArgs = "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done";

    private HostRuntime Runtime(string? runtime, int maxOutputBytes = 1024 * 1024) =>
        new(Options(runtime) with { MaxOutputBytes = maxOutputBytes }, NullLogger<HostRuntime>.Instance);

    /// <summary>The test's directory is the one tasks may map (PROPLET_ALLOWED_DIRS).</summary>
    private PropletOptions Options(string? runtime) => new() { ClientId = "test", ExternalWasmRuntime = runtime, AllowedDirs = [_directory.Path] };

    private static RunRequest Request(byte[] module, string[]? cliArgs = null, string[]? inputs = null, Dictionary<string, string>? env = null) =>
        new(Guid.NewGuid(), "test", module, cliArgs ?? [], inputs ?? [], env ?? [], TimeSpan.FromMinutes(5));

    private string Script(string name, string body)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // A hang guard only; the condition normally holds within milliseconds.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 15 s");
            await Task.Delay(20);
        }
    }
}
