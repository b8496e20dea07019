using Propeller.Core.Commands;

namespace Propeller.Wasm.Commands;

/// <summary>
/// A module run the way a WASI runtime runs it from a command line: as a command (<c>_start</c> with
/// arguments) or, with <see cref="WasmCommandLine.Invoke"/>, by calling one export with arguments
/// parsed from text. Used by <c>propeller-wasm</c> and by the proplet's embedded runtime.
/// </summary>
public sealed record WasmCommand(ReadOnlyMemory<byte> Module, WasmCommandLine CommandLine)
{
    /// <summary>argv[0] as the guest sees it (wasmtime passes the module's file name).</summary>
    public string ProgramName { get; init; } = "main.wasm";

    /// <summary>Environment given besides <c>--env</c> (a task's <c>env</c>); <c>--env</c> wins on a clash.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Where the guest's output goes; null captures it (up to <see cref="MaxCapturedBytes"/>) into the result.</summary>
    public Stream? Stdout { get; init; }

    public Stream? Stderr { get; init; }

    public Stream? Stdin { get; init; }

    /// <summary>The most stdout (and stderr) kept when capturing; the rest is counted, not kept.</summary>
    public int MaxCapturedBytes { get; init; } = 1024 * 1024;

    /// <summary>The deadline when the command line sets none (<c>-W timeout</c> wins).</summary>
    public TimeSpan DefaultTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>The memory cap when the command line sets none (<c>-W max-memory-size</c> may only lower it).</summary>
    public ulong? MaxMemoryBytes { get; init; }

    /// <summary>Host modules beyond WASI, offered when the command line asks for them (wasi-nn for <c>-S nn</c>).</summary>
    public IReadOnlyList<IHostModuleProvider> HostModules { get; init; } = [];
}

/// <summary>How a command ended: its exit code, captured output, and an invoked function's results.</summary>
public sealed record WasmCommandResult(
    int ExitCode,
    string Stdout,
    bool StdoutTruncated,
    long StdoutBytes,
    string Stderr,
    IReadOnlyList<WasmValue> Results);

/// <summary>
/// A set of host functions a command may link besides WASI, created per run (its state, such as
/// wasi-nn's graphs and contexts, belongs to one instance) and disposed when the run ends.
/// </summary>
public interface IHostModuleProvider
{
    /// <summary>The functions for one run, or null when <paramref name="commandLine"/> does not ask for this module.</summary>
    IHostModule? Create(WasmCommandLine commandLine, HostModuleContext context);
}

/// <summary>What a run offers its host modules besides the command line.</summary>
/// <param name="Stderr">The guest's stderr: where a host module explains an errno to the user (the guest only sees the number).</param>
public sealed record HostModuleContext(Stream Stderr);

/// <summary>One run's instance of a host module.</summary>
public interface IHostModule : IDisposable
{
    IReadOnlyList<HostFunction> Functions { get; }
}
