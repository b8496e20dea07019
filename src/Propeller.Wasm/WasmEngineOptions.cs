namespace Propeller.Wasm;

/// <summary>How many runs the engine executes at once and how many compiled modules each worker keeps.</summary>
public sealed record WasmEngineOptions
{
    /// <summary>Worker threads, each with its own JavaScriptCore VM: the number of runs in parallel.</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Compiled modules kept per worker (oldest dropped first).</summary>
    public int ModulesPerWorker { get; init; } = 32;

    /// <summary>Stack size of each worker thread: the room recursive guests have before "call stack exhausted".</summary>
    public int WorkerStackBytes { get; init; } = 16 * 1024 * 1024;
}
