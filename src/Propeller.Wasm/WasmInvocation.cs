namespace Propeller.Wasm;

/// <summary>
/// One run of a module: what to call, with which host functions, under which limits.
/// <see cref="Function"/> null means a WASI command: call <c>_start</c>.
/// </summary>
public sealed record WasmInvocation(ReadOnlyMemory<byte> Module)
{
    /// <summary>The host functions the module may import (WASI, wasi-nn, …); any other import fails to link.</summary>
    public IReadOnlyList<HostFunction> Imports { get; init; } = [];

    /// <summary>The export to call, or null for the command entry point <c>_start</c>.</summary>
    public string? Function { get; init; }

    /// <summary>The arguments of <see cref="Function"/>, matching its parameters in number and type.</summary>
    public IReadOnlyList<WasmValue> Arguments { get; init; } = [];

    /// <summary>The run's wall-clock budget; past it the guest is stopped wherever it is.</summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>The most linear memory the guest may have; null leaves the module's own maximum.</summary>
    public ulong? MaxMemoryBytes { get; init; }

    /// <summary>
    /// Whether the module is instrumented so that deadlines and stops reach it inside loops. Only
    /// benchmarks turn it off, to measure what it costs: an unmetered guest in a loop cannot be stopped.
    /// </summary>
    public bool Metered { get; init; } = true;
}

/// <summary>How a run ended normally: the export's results, and the exit code (0 unless the guest called <c>proc_exit</c>).</summary>
public sealed record WasmInvocationResult(IReadOnlyList<WasmValue> Results, int ExitCode);
