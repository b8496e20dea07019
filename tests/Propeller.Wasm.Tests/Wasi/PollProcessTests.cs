using System.Text;
using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class PollProcessTests
{
    [Fact]
    public void A_relative_clock_subscription_sleeps_and_reports_its_userdata()
    {
        using var harness = new WasiHarness();
        var subscriptions = harness.Alloc(48);
        ClockSubscription(harness, subscriptions, userdata: 0xABCDEF, WasiClockId.Monotonic, timeout: 2_000_000, absolute: false);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));

        Assert.Equal(1u, harness.Memory.ReadUInt32(count));
        Assert.Equal(0xABCDEFUL, harness.Memory.ReadUInt64(events));
        Assert.Equal(0, harness.Memory.ReadUInt16(events + 8));
        Assert.Equal((byte)WasiEventType.Clock, harness.Memory.ReadByte(events + 10));
    }

    [Fact]
    public void An_absolute_deadline_already_past_returns_at_once()
    {
        using var harness = new WasiHarness();
        var subscriptions = harness.Alloc(48);
        ClockSubscription(harness, subscriptions, userdata: 7, WasiClockId.Realtime, timeout: 1, absolute: true);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));

        Assert.Equal(1u, harness.Memory.ReadUInt32(count));
        Assert.Equal(7UL, harness.Memory.ReadUInt64(events));
    }

    [Fact]
    public void A_file_is_ready_at_once_and_the_long_clock_beside_it_does_not_fire()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("data.txt"), "12345");
        var fd = harness.OpenOk(Sandbox, "data.txt");
        var subscriptions = harness.Alloc(96);
        ClockSubscription(harness, subscriptions, userdata: 1, WasiClockId.Monotonic, timeout: 3_600_000_000_000, absolute: false);
        harness.Memory.WriteUInt64(subscriptions + 48, 2);
        harness.Memory.WriteByte(subscriptions + 56, (byte)WasiEventType.FdRead);
        harness.Memory.WriteUInt32(subscriptions + 64, fd);
        var events = harness.Alloc(64);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(2), I32(count)));

        Assert.Equal(1u, harness.Memory.ReadUInt32(count));
        Assert.Equal(2UL, harness.Memory.ReadUInt64(events));
        Assert.Equal((byte)WasiEventType.FdRead, harness.Memory.ReadByte(events + 10));
        Assert.Equal(5UL, harness.Memory.ReadUInt64(events + 16));
    }

    [Fact]
    public void Stdout_is_ready_for_writing_at_once()
    {
        using var harness = new WasiHarness();
        var subscriptions = harness.Alloc(48);
        harness.Memory.WriteUInt64(subscriptions, 9);
        harness.Memory.WriteByte(subscriptions + 8, (byte)WasiEventType.FdWrite);
        harness.Memory.WriteUInt32(subscriptions + 16, 1);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));

        Assert.Equal(1u, harness.Memory.ReadUInt32(count));
        Assert.Equal(9UL, harness.Memory.ReadUInt64(events));
        Assert.Equal(0, harness.Memory.ReadUInt16(events + 8));
        Assert.Equal((byte)WasiEventType.FdWrite, harness.Memory.ReadByte(events + 10));
    }

    [Fact]
    public void A_descriptor_subscription_on_a_closed_number_reports_BADF_in_its_event()
    {
        using var harness = new WasiHarness();
        var subscriptions = harness.Alloc(48);
        harness.Memory.WriteUInt64(subscriptions, 5);
        harness.Memory.WriteByte(subscriptions + 8, (byte)WasiEventType.FdWrite);
        harness.Memory.WriteUInt32(subscriptions + 16, 77);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));

        Assert.Equal(1u, harness.Memory.ReadUInt32(count));
        Assert.Equal((ushort)WasiErrno.Badf, harness.Memory.ReadUInt16(events + 8));
    }

    [Fact]
    public void Polling_nothing_or_an_unknown_event_type_is_INVAL()
    {
        using var harness = new WasiHarness();
        var subscriptions = harness.Alloc(48);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);

        Assert.Equal(WasiErrno.Inval, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(0), I32(count)));
        harness.Memory.WriteByte(subscriptions + 8, 9);
        Assert.Equal(WasiErrno.Inval, harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));
    }

    [Fact]
    public void A_sleep_stops_when_the_host_cancels_and_the_cancellation_reaches_the_engine()
    {
        using var cancellation = new CancellationTokenSource();
        using var harness = new WasiHarness(options => new WasiOptions { CancellationToken = cancellation.Token });
        var subscriptions = harness.Alloc(48);
        ClockSubscription(harness, subscriptions, userdata: 1, WasiClockId.Monotonic, timeout: 3_600_000_000_000, absolute: false);
        var events = harness.Alloc(32);
        var count = harness.Alloc(4);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(50));

        Assert.ThrowsAny<OperationCanceledException>(() =>
            harness.Call("poll_oneoff", I32(subscriptions), I32(events), I32(1), I32(count)));
    }

    [Fact]
    public void Proc_exit_ends_the_guest_with_its_code()
    {
        using var harness = new WasiHarness();

        var exit = Assert.Throws<GuestExitException>(() => harness.Function("proc_exit").Body(harness.Memory, [I32(7)]));

        Assert.Equal(7, exit.ExitCode);
    }

    [Fact]
    public void Proc_raise_is_not_supported_and_sched_yield_succeeds()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Notsup, harness.Call("proc_raise", I32(6)));
        Assert.Equal(WasiErrno.Success, harness.Call("sched_yield"));
    }

    [Fact]
    public void Sockets_are_BADF_for_closed_numbers_and_NOTSUP_for_anything_open()
    {
        using var harness = new WasiHarness();
        var result = harness.Alloc(8);

        Assert.Equal(WasiErrno.Badf, harness.Call("sock_accept", I32(99), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Notsup, harness.Call("sock_accept", I32(Sandbox), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Notsup, harness.Call("sock_recv", I32(0), I32(0), I32(0), I32(0), I32(result), I32(result + 4)));
        Assert.Equal(WasiErrno.Notsup, harness.Call("sock_send", I32(1), I32(0), I32(0), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Notsup, harness.Call("sock_shutdown", I32(1), I32(3)));
    }

    [Fact]
    public void Stdout_and_stderr_go_to_the_given_streams()
    {
        using var harness = new WasiHarness();

        var (errno, written) = harness.Write(1, "hello ", "world\n");
        harness.Write(2, "oops\n");

        Assert.Equal(WasiErrno.Success, errno);
        Assert.Equal(12u, written);
        Assert.Equal("hello world\n", harness.Stdout.ReadText());
        Assert.Equal("oops\n", harness.Stderr.ReadText());
    }

    [Fact]
    public void Stdin_is_read_from_the_given_stream_and_is_empty_without_one()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("line one\n"));
        using var harness = new WasiHarness(options => new WasiOptions { Stdin = input });
        using var silent = new WasiHarness();

        Assert.Equal((WasiErrno.Success, "line one\n"), harness.Read(0));
        Assert.Equal((WasiErrno.Success, ""), harness.Read(0));
        Assert.Equal((WasiErrno.Success, ""), silent.Read(0));
    }

    [Fact]
    public void Stdio_is_a_stream_with_one_direction_and_no_position()
    {
        using var harness = new WasiHarness(options => new WasiOptions());
        var result = harness.Alloc(8);

        Assert.Equal(WasiErrno.Success, harness.Write(1, "discarded").Errno);
        Assert.Equal(WasiErrno.Badf, harness.Write(0, "x").Errno);
        Assert.Equal(WasiErrno.Badf, harness.Read(1).Errno);
        Assert.Equal(WasiErrno.Spipe, harness.Call("fd_seek", I32(1), I64(0L), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Spipe, harness.Call("fd_tell", I32(0), I32(result)));
        var (type, _, rights, _) = harness.Fdstat(1);
        Assert.Equal(WasiFiletype.Unknown, type);
        Assert.True(rights.HasFlag(WasiRights.FdWrite));
        Assert.False(rights.HasFlag(WasiRights.FdSeek) || rights.HasFlag(WasiRights.FdTell));
    }

    /// <summary>subscription: userdata u64 @0, tag u8 @8, clock { id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40 }.</summary>
    private static void ClockSubscription(WasiHarness harness, uint at, ulong userdata, WasiClockId clock, ulong timeout, bool absolute)
    {
        harness.Memory.WriteUInt64(at, userdata);
        harness.Memory.WriteByte(at + 8, (byte)WasiEventType.Clock);
        harness.Memory.WriteUInt32(at + 16, (uint)clock);
        harness.Memory.WriteUInt64(at + 24, timeout);
        harness.Memory.WriteUInt64(at + 32, 1000);
        harness.Memory.WriteUInt16(at + 40, (ushort)(absolute ? 1 : 0));
    }
}
