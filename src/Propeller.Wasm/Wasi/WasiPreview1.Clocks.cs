using System.Security.Cryptography;

namespace Propeller.Wasm.Wasi;

// clock_* and random_get. Times are nanoseconds: realtime since 1970, monotonic since an arbitrary start.
// The CPU-time clocks cannot be measured per guest (the engine shares the process with others), so they
// report the monotonic time since this instance was created: never less than the guest's CPU time on a
// single thread, and enough for clock()/times()-style timing. (Runtimes differ here: some fail these
// clocks with NOTSUP; a number serves programs that time themselves better than a failure.)
public sealed partial class WasiPreview1
{
    private const ulong RealtimeResolution = 100; // .NET's DateTime ticks.

    private WasiErrno ClockResGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var resolution = (WasiClockId)arguments.U32(0) switch
        {
            WasiClockId.Realtime => RealtimeResolution,
            WasiClockId.Monotonic or WasiClockId.ProcessCputime or WasiClockId.ThreadCputime =>
                Math.Max(1, 1_000_000_000 / (ulong)_options.TimeProvider.TimestampFrequency),
            _ => throw new WasiErrorException(WasiErrno.Inval),
        };
        memory.WriteUInt64(arguments.U32(1), resolution);
        return WasiErrno.Success;
    }

    private WasiErrno ClockTimeGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        // The precision argument is a hint; every clock here is read at its best precision.
        memory.WriteUInt64(arguments.U32(2), Now((WasiClockId)arguments.U32(0)));
        return WasiErrno.Success;
    }

    private WasiErrno RandomGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        RandomNumberGenerator.Fill(memory.Slice(arguments.U32(0), arguments.U32(1)));
        return WasiErrno.Success;
    }

    /// <summary>The time on <paramref name="clock"/> in nanoseconds; INVAL for a clock preview1 does not define.</summary>
    private ulong Now(WasiClockId clock) => clock switch
    {
        WasiClockId.Realtime => RealtimeNow(),
        WasiClockId.Monotonic => MonotonicNow(),
        WasiClockId.ProcessCputime or WasiClockId.ThreadCputime => MonotonicNow() - TimestampToNanoseconds(_createdTimestamp),
        _ => throw new WasiErrorException(WasiErrno.Inval),
    };

    private ulong RealtimeNow()
    {
        var now = _options.TimeProvider.GetUtcNow();
        return now < DateTimeOffset.UnixEpoch ? 0 : (ulong)(now - DateTimeOffset.UnixEpoch).Ticks * 100;
    }

    private ulong MonotonicNow() => TimestampToNanoseconds(_options.TimeProvider.GetTimestamp());

    private ulong TimestampToNanoseconds(long timestamp) =>
        (ulong)((UInt128)(ulong)timestamp * 1_000_000_000 / (ulong)_options.TimeProvider.TimestampFrequency);
}
