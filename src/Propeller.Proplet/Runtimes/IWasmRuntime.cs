namespace Propeller.Proplet.Runtimes;

/// <summary>
/// One way of running a task's WebAssembly (the external host runtime now; the embedded engine
/// later). Like a Nomad task driver: it says what it is, runs a task to its end, and stops it when
/// the cancellation token fires, leaving nothing behind.
/// </summary>
public interface IWasmRuntime
{
    /// <summary>What this runtime is, for the proplet's announcement, e.g. <c>host:/usr/local/bin/wasmtime</c>.</summary>
    string Description { get; }

    /// <summary>The runtime's version (for a host runtime, the first line of <c>&lt;runtime&gt; --version</c>); null when it does not say.</summary>
    string? Version { get; }

    /// <summary>The wasi-nn graph encodings tasks on this runtime can load (<c>onnx</c>, <c>openvino</c>), reported for scheduling.</summary>
    IReadOnlyList<string> NnEncodings { get; }

    /// <summary>The named graphs every task can <c>load_by_name</c> (preloaded from PROPLET_NN_GRAPHS).</summary>
    IReadOnlyList<string> NnGraphs { get; }

    /// <summary>Runs the task to its end. Cancellation means stop: everything the run started is killed.</summary>
    Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken);
}

/// <summary>What a runtime needs to run a task.</summary>
public sealed record RunRequest(
    Guid TaskId,
    string Name,
    byte[] Module,
    IReadOnlyList<string> CliArgs,
    IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, string> Env,
    TimeSpan Timeout);

/// <summary>How a run ended: its output, its exit code when it had one, and an error when it failed.</summary>
public sealed record RunOutcome(string Output, int? ExitCode, string? Error)
{
    /// <summary>The task's results when they are not the output text (an invoked function's return values).</summary>
    public System.Text.Json.JsonElement? Results { get; init; }

    public bool Succeeded => Error is null;

    public static RunOutcome Failure(string error) => new("", null, error);

    /// <summary>
    /// A guest that exited non-zero, in the same words on every runtime, so one task fails the same way
    /// wherever it runs: "Process exited with status 7: &lt;stderr's tail&gt;".
    /// </summary>
    public static RunOutcome Exited(string output, int exitCode, string stderrTail, bool tailCut) => new(
        output,
        exitCode,
        stderrTail.Length == 0
            ? $"Process exited with status {exitCode} (nothing on stderr)"
            : $"Process exited with status {exitCode}: {(tailCut ? "…" : "")}{stderrTail}");
}
