using System.Collections.Concurrent;

namespace Propeller.Wasm.Engine;

/// <summary>
/// A thread that owns one JavaScriptCore VM and runs jobs on it one at a time. A VM may only be
/// entered by one thread at a time, so each worker has its own VM and its own compiled modules; the
/// engine spreads runs over workers and prefers the one that has the module compiled already.
/// </summary>
internal sealed class EngineWorker : IDisposable
{
    private readonly BlockingCollection<Action> _jobs = [];
    private readonly Thread _thread;
    private readonly int _modulesToKeep;
    private readonly ConcurrentDictionary<ModuleKey, byte> _compiledKeys = new();
    private readonly EngineCounters _counters;
    private int _pending;
    private InstanceRunner? _runner;

    public EngineWorker(int index, WasmEngineOptions options, EngineCounters counters)
    {
        _counters = counters;
        _modulesToKeep = options.ModulesPerWorker;
        _thread = new Thread(Loop, options.WorkerStackBytes)
        {
            IsBackground = true,
            Name = $"propeller-wasm-{index}",
        };
        _thread.Start();
    }

    /// <summary>Jobs queued or running on this worker.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool HasCompiled(ModuleKey key) => _compiledKeys.ContainsKey(key);

    /// <summary>Runs <paramref name="work"/> on this worker's thread with its VM.</summary>
    public Task<T> Enqueue<T>(Func<InstanceRunner, T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        _jobs.Add(() =>
        {
            try
            {
                _runner ??= new InstanceRunner(new JscContext(), _modulesToKeep, _compiledKeys, _counters);
                completion.SetResult(work(_runner));
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        });
        return completion.Task;
    }

    private void Loop()
    {
        foreach (var job in _jobs.GetConsumingEnumerable())
        {
            job();
        }

        _runner?.Dispose();
    }

    public void Dispose()
    {
        _jobs.CompleteAdding();
        _thread.Join();
        _jobs.Dispose();
    }
}
