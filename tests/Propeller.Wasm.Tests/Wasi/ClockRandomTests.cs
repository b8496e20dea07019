using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class ClockRandomTests
{
    [Fact]
    public void The_monotonic_clock_never_goes_back_and_moves_on()
    {
        using var harness = new WasiHarness();
        var first = Time(harness, WasiClockId.Monotonic);
        Thread.Sleep(2);
        var second = Time(harness, WasiClockId.Monotonic);
        var third = Time(harness, WasiClockId.Monotonic);

        Assert.True(second > first, $"{second} should be after {first}");
        Assert.True(third >= second);
    }

    [Fact]
    public void Realtime_is_nanoseconds_since_1970_from_the_time_provider()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567));
        using var harness = new WasiHarness(options => new WasiOptions { TimeProvider = clock });

        Assert.Equal(1714979289_123456700UL, Time(harness, WasiClockId.Realtime));
    }

    [Fact]
    public void Monotonic_follows_the_time_provider_timestamp_in_nanoseconds()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        using var harness = new WasiHarness(options => new WasiOptions { TimeProvider = clock });
        var before = Time(harness, WasiClockId.Monotonic);

        clock.Advance(TimeSpan.FromMilliseconds(1.5));

        Assert.Equal(1_500_000UL, Time(harness, WasiClockId.Monotonic) - before);
    }

    [Fact]
    public void Cputime_clocks_report_the_time_since_the_instance_was_created()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        using var harness = new WasiHarness(options => new WasiOptions { TimeProvider = clock });

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(2_000_000_000UL, Time(harness, WasiClockId.ProcessCputime));
        Assert.Equal(2_000_000_000UL, Time(harness, WasiClockId.ThreadCputime));
    }

    [Fact]
    public void Clock_resolutions_are_positive_and_unknown_clocks_are_INVAL()
    {
        using var harness = new WasiHarness();
        var result = harness.Alloc(8);

        foreach (var clock in new[] { WasiClockId.Realtime, WasiClockId.Monotonic, WasiClockId.ProcessCputime, WasiClockId.ThreadCputime })
        {
            Assert.Equal(WasiErrno.Success, harness.Call("clock_res_get", I32((uint)clock), I32(result)));
            Assert.True(harness.Memory.ReadUInt64(result) > 0);
        }

        Assert.Equal(WasiErrno.Inval, harness.Call("clock_res_get", I32(4), I32(result)));
        Assert.Equal(WasiErrno.Inval, harness.Call("clock_time_get", I32(99), I64(0L), I32(result)));
    }

    [Fact]
    public void Random_get_fills_the_buffer_and_only_the_buffer()
    {
        using var harness = new WasiHarness();
        var buffer = harness.Alloc(80);

        Assert.Equal(WasiErrno.Success, harness.Call("random_get", I32(buffer + 8), I32(64)));

        var bytes = harness.Memory.Slice(buffer, 80).ToArray();
        Assert.All(bytes[..8], value => Assert.Equal(0, value));
        Assert.All(bytes[72..], value => Assert.Equal(0, value));
        Assert.True(bytes[8..72].Count(value => value != 0) > 32, "64 random bytes should be mostly non-zero");
        Assert.Equal(WasiErrno.Success, harness.Call("random_get", I32(buffer), I32(0)));
    }

    private static ulong Time(WasiHarness harness, WasiClockId clock)
    {
        var result = harness.Alloc(8);
        Assert.Equal(WasiErrno.Success, harness.Call("clock_time_get", I32((uint)clock), I64(1L), I32(result)));
        return harness.Memory.ReadUInt64(result);
    }
}

/// <summary>A clock the test moves by hand: realtime and the monotonic timestamp advance together.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    private long _timestamp = 1_000_000;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _timestamp;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += by.Ticks;
    }
}
