using FsCheck.Fluent;
using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Broker;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests.Fuzz;

/// <summary>
/// A packet's header announces its length; the bytes may never come. The broker must not set memory aside for
/// what was announced, only for what arrived, and must refuse at once what no packet of its kind can be.
/// </summary>
[Collection(BrokerFuzzCollection.Name)]
public sealed class AbsurdLengthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Announced_lengths_are_not_allocated_before_their_bytes_arrive()
    {
        await using var broker = await StartAsync(options: new MqttBrokerOptions { Port = 0 }, logger: new TestLogger<MqttBroker>());
        await using var healthy = await HealthyClient.ConnectAsync(broker, output);
        const int connections = 40;
        var lengths = Gen.ArrayOf(Gen.Choose(16 * 1024 * 1024, 60 * 1024 * 1024), connections).Sample(1, 1).Single();
        var announced = lengths.Sum(l => (long)l);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        // Each announces a PUBLISH of tens of MB (under the 64 MB limit), sends a few bytes of it and stalls until the keep-alive closes it.
        await Guard.Within(
            Task.WhenAll(lengths.Select(async length =>
            {
                await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
                await raw.HandshakeAsync(new ConnectPacket($"big-{Guid.NewGuid():N}", CleanSession: true, KeepAliveSeconds: 1));
                await raw.SendAsync([.. HostileBytes.Header(0x30, length), 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b']);
                await raw.WaitForCloseAsync();
            })),
            "every stalled oversized packet to be closed by the keep-alive");

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"fuzz: broker: {connections} packets announcing {announced:N0} bytes in all made the test process allocate {allocated:N0} bytes");
        Assert.True(allocated < 64L * 1024 * 1024, $"{allocated:N0} bytes allocated for {connections} announced packets that never came ({announced:N0} bytes announced)");
        await healthy.RoundTripAsync();
    }

    [Fact]
    public async Task A_first_packet_larger_than_any_connect_is_refused_at_its_header()
    {
        var logger = new TestLogger<MqttBroker>(output, "broker");
        await using var broker = await StartAsync(options: new MqttBrokerOptions { Port = 0 }, logger: logger);
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);

        // Without this limit a client that never authenticates could make the broker buffer MaxPacketSize (64 MB) per connection.
        await raw.SendAsync(HostileBytes.Header(0x10, 1_000_000));

        await raw.WaitForCloseAsync();
        Assert.True(
            logger.Contains(LogLevel.Warning, $"maximum packet size of {BrokerConnection.MaxConnectPacketSize} bytes"),
            "the connection is closed for its announced size, not by the CONNECT timeout");
        Assert.False(logger.Contains(LogLevel.Warning, "sent no CONNECT within"));
    }

    [Fact]
    public async Task The_largest_connect_the_protocol_allows_is_still_accepted()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions { Port = 0 });
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        var longest = new string('x', ushort.MaxValue);
        var connect = new ConnectPacket(
            new string('c', 23),
            CleanSession: true,
            KeepAliveSeconds: 0,
            longest,
            longest,
            new MqttApplicationMessage(new string('w', ushort.MaxValue), new byte[ushort.MaxValue]));

        var reply = await raw.HandshakeAsync(connect);

        Assert.Equal(0, reply.ReturnCode);
    }
}
