using System.Diagnostics;

namespace Propeller.Wasm.Engine;

/// <summary>
/// The time a run may take and the token that stops it, as seen from inside the guest. Instrumented
/// guests call <see cref="Refuel"/> whenever their fuel runs out; the amount handed out adapts so that
/// those calls come every few milliseconds whatever the guest does, which keeps their cost negligible
/// and the reaction to a deadline or a stop prompt.
/// </summary>
internal sealed class RunBudget(TimeSpan timeout, CancellationToken cancellationToken)
{
    private const int MinimumFuel = 1 << 10;
    private const int MaximumFuel = 1 << 30;
    private static readonly long FastCheck = Stopwatch.Frequency / 500;   // 2 ms
    private static readonly long SlowCheck = Stopwatch.Frequency / 100;   // 10 ms

    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastRefuel = Stopwatch.GetTimestamp();
    private int _fuel = 1 << 16;

    public TimeSpan Timeout { get; } = timeout;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public bool DeadlinePassed =>
        Timeout != System.Threading.Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(_started) >= Timeout;

    /// <summary>Throws when the run must end: <see cref="WasmDeadlineExceededException"/> or <see cref="OperationCanceledException"/>.</summary>
    public void ThrowIfSpent()
    {
        if (DeadlinePassed)
        {
            throw new WasmDeadlineExceededException(Timeout);
        }

        CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Called by the guest when its fuel runs out: more fuel, or 0 when the run must end, upon which the
    /// instrumented guest traps. (A trap, unlike an exception thrown from here, cannot be caught by the
    /// guest's own exception handlers.) The runner then reports the deadline or the stop, not the trap.
    /// </summary>
    public int Refuel()
    {
        if (DeadlinePassed || CancellationToken.IsCancellationRequested)
        {
            return 0;
        }

        var now = Stopwatch.GetTimestamp();
        var sinceLast = now - _lastRefuel;
        _lastRefuel = now;
        if (sinceLast < FastCheck)
        {
            _fuel = Math.Min(MaximumFuel, _fuel * 2);
        }
        else if (sinceLast > SlowCheck)
        {
            _fuel = Math.Max(MinimumFuel, _fuel / 2);
        }

        return _fuel;
    }
}
