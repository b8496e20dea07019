namespace Propeller.Wasm.Engine;

/// <summary>What an engine's workers did, for tests and benchmarks that check the caches work.</summary>
internal sealed class EngineCounters
{
    private long _compilations;

    public long Compilations => Interlocked.Read(ref _compilations);

    public void CountCompilation() => Interlocked.Increment(ref _compilations);
}
