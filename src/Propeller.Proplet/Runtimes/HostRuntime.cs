using System.ComponentModel;
using System.Diagnostics;
using Propeller.Core.Commands;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Runs a task by spawning an external WASI runtime (wasmtime in the seeds) as
/// <c>&lt;runtime&gt; [--env K=V…] [cli_args…] proplet_{task_id}.wasm [inputs…]</c>, without a shell.
/// The cli_args passed are not the task's text but what the runtime grammar read from it, written
/// anew (<see cref="WasmCommandLine.ToArguments"/>): only flags the grammar accepts reach the runtime,
/// with their directories checked against PROPLET_ALLOWED_DIRS and given as absolute paths (the runtime
/// runs in a private temporary directory), plus <c>-W max-memory-size</c> from PROPLET_MAX_MEMORY_MB for
/// runtimes known to take it. Standard output becomes the results; a non-zero exit is a failure carrying
/// stderr's tail.
/// </summary>
public sealed class HostRuntime : IWasmRuntime
{
    private const int StderrTailBytes = 4096;

    private readonly PropletOptions _options;
    private readonly ILogger<HostRuntime> _logger;
    private readonly string _workDirectory;
    private readonly Lazy<string?> _version;
    private readonly AllowedDirectories _allowedDirectories;
    private int _memoryLimitWarned;

    public HostRuntime(PropletOptions options, ILogger<HostRuntime> logger)
    {
        _options = options;
        _logger = logger;
        // Modules are written where only this user can read them: a task's code is its owner's business.
        _workDirectory = Path.Combine(Path.GetTempPath(), $"propeller-proplet-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_workDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _version = new Lazy<string?>(ReadVersion);
        _allowedDirectories = AllowedDirectories.For(options);
    }

    public string Description
    {
        get
        {
            var (path, _) = RuntimeLocator.Locate(_options.ExternalWasmRuntime, Environment.GetEnvironmentVariable("PATH"));
            return path is null ? "host:(not configured)" : $"host:{path}";
        }
    }

    /// <summary>
    /// Guessed from the runtime's name unless PROPLET_NN_ENCODINGS says: <c>propeller-wasm</c> runs onnx;
    /// <c>wasmtime</c> is taken to be the seeds' Docker build, which has OpenVINO.
    /// </summary>
    public IReadOnlyList<string> NnEncodings
    {
        get
        {
            if (_options.NnEncodings is { } configured)
            {
                return configured;
            }

            var (path, _) = RuntimeLocator.Locate(_options.ExternalWasmRuntime, Environment.GetEnvironmentVariable("PATH"));
            return Path.GetFileName(path) switch
            {
                "propeller-wasm" => ["onnx"],
                "wasmtime" => ["openvino"],
                _ => [],
            };
        }
    }

    /// <summary>PROPLET_NN_GRAPHS are loaded by the embedded runtime only; an external runtime takes <c>-S nn-graph</c> in a task's cli_args.</summary>
    public IReadOnlyList<string> NnGraphs => [];

    /// <summary>Asked once, lazily: the first line <c>&lt;runtime&gt; --version</c> prints within 5 s.</summary>
    public string? Version => _version.Value;

    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        WasmCommandLine line;
        try
        {
            line = _allowedDirectories.Confine(WasmCommandLine.ParseCliArgs(request.CliArgs));
        }
        catch (WasmCommandLineException e)
        {
            return RunOutcome.Failure(e.Message);
        }

        var (runtime, problem) = RuntimeLocator.Locate(_options.ExternalWasmRuntime, Environment.GetEnvironmentVariable("PATH"));
        if (runtime is null)
        {
            return RunOutcome.Failure(problem!);
        }

        line = WithMemoryLimit(line, runtime);

        var modulePath = Path.Combine(_workDirectory, $"proplet_{request.TaskId}.wasm");
        await File.WriteAllBytesAsync(modulePath, request.Module, cancellationToken);
        File.SetUnixFileMode(modulePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            return await RunProcessAsync(runtime, modulePath, line, request, cancellationToken);
        }
        finally
        {
            File.Delete(modulePath);
        }
    }

    private async Task<RunOutcome> RunProcessAsync(string runtime, string modulePath, WasmCommandLine line, RunRequest request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(runtime)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _workDirectory,
        };

        // Upstream adds the task's env to the runtime's environment; --env also hands it to the guest,
        // which is what users who set env expect (wasmtime does not pass its own environment through).
        foreach (var (key, value) in request.Env)
        {
            start.ArgumentList.Add("--env");
            start.ArgumentList.Add($"{key}={value}");
        }

        foreach (var arg in line.ToArguments())
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(modulePath);
        foreach (var input in request.Inputs)
        {
            start.ArgumentList.Add(input);
        }

        // The proplet's own credentials never reach a task's process.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PROPLET_", StringComparison.Ordinal) || k.StartsWith("MANAGER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in request.Env)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return RunOutcome.Failure($"could not start the external runtime {runtime} (PROPLET_EXTERNAL_WASM_RUNTIME): {e.Message}");
        }

        process.StandardInput.Close();
        var stdout = new BoundedCapture(_options.MaxOutputBytes, keepTail: false);
        var stderr = new BoundedCapture(StderrTailBytes, keepTail: true);
        var reading = Task.WhenAll(
            stdout.ReadToEndAsync(process.StandardOutput.BaseStream, CancellationToken.None),
            stderr.ReadToEndAsync(process.StandardError.BaseStream, CancellationToken.None));

        using (cancellationToken.Register(() => Kill(process, request.TaskId)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
            // Children that inherited the pipes may keep them open; their output no longer matters once stopped.
            await (cancellationToken.IsCancellationRequested ? Task.WhenAny(reading, Task.Delay(1000, CancellationToken.None)) : reading);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var output = stdout.Text();
        if (stdout.Truncated)
        {
            output += $"\n[output truncated: {stdout.TotalBytes} bytes in all, the first {_options.MaxOutputBytes} kept (PROPLET_MAX_OUTPUT_BYTES)]";
        }

        var exitCode = process.ExitCode;
        if (exitCode == 0)
        {
            return new RunOutcome(output, 0, null);
        }

        return RunOutcome.Exited(output, exitCode, stderr.Text().Trim(), stderr.Truncated);
    }

    /// <summary>
    /// PROPLET_MAX_MEMORY_MB as <c>-W max-memory-size</c> (a task's own may only be lower), for the runtimes
    /// known to take it: wasmtime (14 and later) and propeller-wasm. Any other is told nothing, since an
    /// unknown flag would fail every task; the proplet says so once.
    /// </summary>
    private WasmCommandLine WithMemoryLimit(WasmCommandLine line, string runtime)
    {
        if (Path.GetFileName(runtime) is "wasmtime" or "propeller-wasm")
        {
            return line with { MaxMemoryBytes = Math.Min(line.MaxMemoryBytes ?? ulong.MaxValue, _options.MaxMemoryBytes) };
        }

        if (Interlocked.Exchange(ref _memoryLimitWarned, 1) == 0)
        {
            _logger.LogWarning(
                "PROPLET_MAX_MEMORY_MB is not applied to {runtime}: only wasmtime and propeller-wasm are known to take -W max-memory-size", runtime);
        }

        return line;
    }

    private string? ReadVersion()
    {
        var (path, _) = RuntimeLocator.Locate(_options.ExternalWasmRuntime, Environment.GetEnvironmentVariable("PATH"));
        if (path is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            var first = output.Result.Split('\n', 2)[0].Trim();
            return process.ExitCode == 0 && first.Length > 0 ? first[..Math.Min(first.Length, 200)] : null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            _logger.LogDebug("{runtime} --version failed: {reason}", path, e.Message);
            return null;
        }
    }

    private void Kill(Process process, Guid taskId)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            _logger.LogInformation("Task {task_id} stopped: runtime process {pid} and its children killed", taskId, process.Id);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }
}
