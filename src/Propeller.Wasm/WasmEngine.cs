using Propeller.Wasm.Engine;

namespace Propeller.Wasm;

/// <summary>
/// The embedded WebAssembly engine: JavaScriptCore's wasm compiler and runtime, driven through its C
/// API. Threading model: <see cref="WasmEngineOptions.Workers"/> threads, each owning one
/// JavaScriptCore VM that only it enters; a run executes entirely on one worker (host functions
/// included), so runs on different workers proceed in parallel and nothing in a VM is shared.
/// Modules are read and instrumented once per content (SHA-256) and limits, process-wide, then
/// compiled once per worker; a run goes to an idle worker that has its module compiled when there is
/// one. All public members are thread-safe.
/// </summary>
public sealed class WasmEngine : IDisposable
{
    private readonly EngineWorker[] _workers;
    private readonly EngineCounters _counters = new();
    private int _disposed;

    /// <summary>Starts the workers. Throws <see cref="WasmEngineUnavailableException"/> when JavaScriptCore is missing.</summary>
    public WasmEngine(WasmEngineOptions? options = null)
    {
        options ??= new WasmEngineOptions();
        JscLibrary.EnsureLoaded();
        _workers = new EngineWorker[Math.Max(1, options.Workers)];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new EngineWorker(i, options, _counters);
        }
    }

    /// <summary>Modules this engine's workers compiled; a warm run adds none.</summary>
    public long Compilations => _counters.Compilations;

    /// <summary>Modules read and instrumented in this process (that cache is shared by all engines).</summary>
    public static long Preparations => PreparedModule.Preparations;

    /// <summary>
    /// The module's imports and exports with their signatures, read once per content and cached
    /// process-wide. Throws <see cref="Binary.WasmFormatException"/> for bytes that are not a module.
    /// </summary>
    public static Binary.WasmModuleInfo Inspect(ReadOnlySpan<byte> module) => PreparedModule.Inspect(module);

    /// <summary>
    /// Runs <paramref name="invocation"/> to its end. Cancelling stops the guest wherever it is
    /// (<see cref="OperationCanceledException"/>); passing the timeout throws
    /// <see cref="WasmDeadlineExceededException"/>; other failures are <see cref="WasmException"/>s whose
    /// message can be shown as is.
    /// </summary>
    public async Task<WasmInvocationResult> RunAsync(WasmInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var prepared = PreparedModule.Get(invocation.Module.Span, invocation.MaxMemoryBytes, invocation.Metered);
        var budget = new RunBudget(invocation.Timeout, cancellationToken);
        return await PickWorker(prepared.Key).Enqueue(runner => runner.Run(prepared, invocation, budget)).ConfigureAwait(false);
    }

    private EngineWorker PickWorker(ModuleKey key)
    {
        EngineWorker? idle = null;
        var least = _workers[0];
        foreach (var worker in _workers)
        {
            var pending = worker.Pending;
            if (pending == 0 && worker.HasCompiled(key))
            {
                return worker;
            }

            if (pending == 0)
            {
                idle ??= worker;
            }

            if (pending < least.Pending)
            {
                least = worker;
            }
        }

        return idle ?? least;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
    }
}
