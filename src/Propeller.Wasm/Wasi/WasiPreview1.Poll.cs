namespace Propeller.Wasm.Wasi;

// poll_oneoff: what wasi-libc's sleep/nanosleep/clock_nanosleep and Rust's thread::sleep use, and what
// poll() becomes. Clock subscriptions sleep (relative, or absolute on the realtime or monotonic clock);
// descriptor subscriptions report ready at once: files always are, stdout/stderr accept writes, and for
// stdin there is no way to wait on a host Stream without reading it, so a read from it may then block.
public sealed partial class WasiPreview1
{
    private const uint SubscriptionSize = 48;
    private const uint EventSize = 32;
    private const ushort SubclockAbstime = 1;

    /// <summary>Sleeps are cut into pieces no longer than this, so a far-away deadline does not overflow a timer.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private WasiErrno PollOneoff(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var subscriptions = arguments.U32(0);
        var events = arguments.U32(1);
        var count = arguments.U32(2);
        var eventCountPointer = arguments.U32(3);
        if (count == 0)
        {
            // Nothing to wait for would block forever; wasmtime refuses it the same way.
            return WasiErrno.Inval;
        }

        memory.CheckArray(subscriptions, count, SubscriptionSize);
        memory.CheckArray(events, count, EventSize);
        memory.Slice(eventCountPointer, 4);

        // First pass: what is ready now, and the earliest clock deadline (on the monotonic clock).
        var now = MonotonicNow();
        var deadlines = new ulong?[count];
        var ready = new List<Event>();
        ulong? earliest = null;
        for (uint i = 0; i < count; i++)
        {
            var at = subscriptions + (i * SubscriptionSize);
            var userdata = memory.ReadUInt64(at);
            var type = memory.ReadByte(at + 8);
            switch ((WasiEventType)type)
            {
                case WasiEventType.Clock:
                    var deadline = ClockDeadline(memory, at + 16, now, out var clockError);
                    if (clockError != WasiErrno.Success)
                    {
                        ready.Add(new Event(userdata, clockError, WasiEventType.Clock, 0));
                        break;
                    }

                    deadlines[i] = deadline;
                    earliest = earliest is { } soonest ? Math.Min(soonest, deadline) : deadline;
                    break;
                case WasiEventType.FdRead or WasiEventType.FdWrite:
                    ready.Add(DescriptorEvent(userdata, (WasiEventType)type, memory.ReadUInt32(at + 16)));
                    break;
                default:
                    return WasiErrno.Inval;
            }
        }

        if (ready.Count == 0 && earliest is { } wakeUp)
        {
            SleepUntil(wakeUp);
        }

        // Second pass: every clock that has expired by now (at least the earliest one, after a sleep).
        now = MonotonicNow();
        for (uint i = 0; i < count; i++)
        {
            if (deadlines[i] is { } deadline && deadline <= now)
            {
                ready.Add(new Event(memory.ReadUInt64(subscriptions + (i * SubscriptionSize)), WasiErrno.Success, WasiEventType.Clock, 0));
            }
        }

        for (var i = 0; i < ready.Count; i++)
        {
            ready[i].WriteTo(memory, events + ((uint)i * EventSize));
        }

        memory.WriteUInt32(eventCountPointer, (uint)ready.Count);
        return WasiErrno.Success;
    }

    /// <summary>
    /// The monotonic time at which a clock subscription (id u32 @0, timeout u64 @8, precision u64 @16,
    /// flags u16 @24) expires. An absolute realtime deadline is converted through the current offset
    /// between the two clocks.
    /// </summary>
    private ulong ClockDeadline(GuestMemory memory, uint clock, ulong monotonicNow, out WasiErrno error)
    {
        error = WasiErrno.Success;
        var id = (WasiClockId)memory.ReadUInt32(clock);
        var timeout = memory.ReadUInt64(clock + 8);
        var flags = memory.ReadUInt16(clock + 24);
        if (id is not (WasiClockId.Realtime or WasiClockId.Monotonic or WasiClockId.ProcessCputime or WasiClockId.ThreadCputime)
            || (flags & ~SubclockAbstime) != 0)
        {
            error = WasiErrno.Inval;
            return 0;
        }

        if ((flags & SubclockAbstime) == 0)
        {
            return SaturatingAdd(monotonicNow, timeout);
        }

        var clockNow = Now(id);
        return timeout <= clockNow ? monotonicNow : SaturatingAdd(monotonicNow, timeout - clockNow);

        static ulong SaturatingAdd(ulong a, ulong b) => ulong.MaxValue - a < b ? ulong.MaxValue : a + b;
    }

    private Event DescriptorEvent(ulong userdata, WasiEventType type, uint fd)
    {
        if (!_descriptors.TryGet(fd, out var descriptor))
        {
            return new Event(userdata, WasiErrno.Badf, type, 0);
        }

        if ((descriptor.BaseRights & WasiRights.PollFdReadwrite) == 0 && descriptor is not DirectoryDescriptor)
        {
            return new Event(userdata, WasiErrno.Notcapable, type, 0);
        }

        // For a file, how much is left to read from the current position (what wasmtime reports).
        ulong available = type == WasiEventType.FdRead && descriptor is FileDescriptor file
            ? (ulong)Math.Max(0, file.Length - file.Position)
            : 0;
        return new Event(userdata, WasiErrno.Success, type, available);
    }

    /// <summary>Blocks the guest's thread until the monotonic deadline, or until the host cancels.</summary>
    private void SleepUntil(ulong deadline)
    {
        var token = _options.CancellationToken;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var now = MonotonicNow();
            if (now >= deadline)
            {
                return;
            }

            // Whole milliseconds, rounded up: timers round shorter waits down to nothing.
            var milliseconds = Math.Ceiling((deadline - now) / 1_000_000.0);
            var wait = TimeSpan.FromMilliseconds(Math.Min(milliseconds, LongestWait.TotalMilliseconds));
            Task.Delay(wait, _options.TimeProvider, token).GetAwaiter().GetResult();
        }
    }

    /// <summary>An <c>event</c>: userdata u64 @0, error u16 @8, type u8 @10, fd_readwrite.nbytes u64 @16, flags u16 @24.</summary>
    private readonly record struct Event(ulong Userdata, WasiErrno Error, WasiEventType Type, ulong Bytes)
    {
        public void WriteTo(GuestMemory memory, uint pointer)
        {
            memory.Slice(pointer, EventSize).Clear();
            memory.WriteUInt64(pointer, Userdata);
            memory.WriteUInt16(pointer + 8, (ushort)Error);
            memory.WriteByte(pointer + 10, (byte)Type);
            memory.WriteUInt64(pointer + 16, Bytes);
        }
    }
}
