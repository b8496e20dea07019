using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Bytes no well-behaved client sends: each must close only the offending connection.</summary>
public class HostileInputTests(ITestOutputHelper output)
{
    private static readonly byte[] ValidConnect = MqttPacketEncoder.Encode(new ConnectPacket("hostile", CleanSession: true, KeepAliveSeconds: 0));

    public static TheoryData<string, string> BeforeConnect => new()
    {
        { "garbage", "00 00 DE AD BE EF" },
        { "huge remaining length", "30 FF FF FF 7F" },
        { "five-byte remaining length", "10 FF FF FF FF 7F" },
        { "publish before connect", "30 07 00 03 61 2F 62 68 69" },
        { "pingreq before connect", "C0 00" },
        { "connect with truncated body", "10 0C 00 04 4D 51 54 54 04 02 00 00 00 01" },
        { "http request", "47 45 54 20 2F 20 48 54 54 50 2F 31 2E 31 0D 0A 0D 0A" },
    };

    public static TheoryData<string, string> AfterConnect => new()
    {
        { "second connect", Convert.ToHexString(ValidConnect) },
        { "publish with bad UTF-8 topic", "30 04 00 02 C3 28" },
        { "publish with wildcard topic", "30 05 00 03 61 2F 23" },
        { "publish at QoS 2", "34 07 00 03 61 2F 62 00 01" },
        { "pubrel", "62 02 00 01" },
        { "server-only packet", "20 02 00 00" },
        { "subscribe with bad flags", "80 06 00 01 00 01 23 00" },
        { "garbage", "FF FF FF FF FF" },
    };

    [Theory]
    [MemberData(nameof(BeforeConnect))]
    public async Task Hostile_bytes_before_connect_close_only_that_connection(string what, string hex)
    {
        await using var broker = await StartAsync(output);
        var (healthy, received) = await HealthyPairAsync(broker);
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);

        await raw.SendAsync(CodecTests.Hex(hex));

        await Guard.Within(raw.WaitForCloseAsync(), $"the broker to close the connection after {what}");
        await AssertStillServingAsync(healthy, received);
        await healthy.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(AfterConnect))]
    public async Task Protocol_violations_after_connect_close_only_that_connection(string what, string hex)
    {
        await using var broker = await StartAsync(output);
        var (healthy, received) = await HealthyPairAsync(broker);
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await raw.HandshakeAsync(new ConnectPacket("hostile", CleanSession: true, KeepAliveSeconds: 0));

        await raw.SendAsync(CodecTests.Hex(hex));

        await Guard.Within(raw.WaitForCloseAsync(), $"the broker to close the connection after {what}");
        await AssertStillServingAsync(healthy, received);
        await Guard.UntilAsync(() => broker.ConnectedClients == 1, "the hostile client is released");
        await healthy.DisposeAsync();
    }

    [Fact]
    public async Task Packet_over_the_brokers_limit_closes_the_connection()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions { Port = 0, MaxPacketSize = 1024 });
        var (healthy, received) = await HealthyPairAsync(broker);
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await raw.HandshakeAsync(new ConnectPacket("big", CleanSession: true, KeepAliveSeconds: 0));

        await raw.SendAsync(new PublishPacket("big", new byte[2000]));

        await raw.WaitForCloseAsync();
        await AssertStillServingAsync(healthy, received);
        await healthy.DisposeAsync();
    }

    [Fact]
    public async Task Client_drops_a_connection_whose_incoming_packet_exceeds_its_limit_and_reconnects()
    {
        await using var broker = await StartAsync(output);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        var logger = new TestLogger<MqttClient>(output, "small");
        await using var small = new MqttClient(Options(broker.LocalEndPoint, "small") with { MaxPacketSize = 1024 }, logger);
        small.ConnectionChanged += c => changes.Writer.TryWrite(c);
        await small.ConnectAsync(Guard.Token());
        await small.SubscribeAsync("big", MqttQos.AtMostOnce, Guard.Token());
        Assert.True(await changes.Reader.ReadAsync(Guard.Token()));
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);

        await publisher.PublishAsync(new MqttApplicationMessage("big", new byte[4096]), Guard.Token());

        Assert.False(await changes.Reader.ReadAsync(Guard.Token()));
        Assert.True(await changes.Reader.ReadAsync(Guard.Token()));
        Assert.True(logger.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "exceeds the maximum packet size"));
    }

    [Theory]
    [InlineData("MQIsdp", 3, 1)]
    [InlineData("MQTT", 5, 1)]
    [InlineData("MQTT", 3, 1)]
    public async Task Unsupported_protocol_versions_get_connack_1(string name, byte level, byte expectedCode)
    {
        await using var broker = await StartAsync(output);
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);

        await raw.SendAsync(new ConnectPacket("old", CleanSession: true, KeepAliveSeconds: 0, ProtocolName: name, ProtocolLevel: level));

        Assert.Equal(expectedCode, Assert.IsType<ConnAckPacket>(await raw.ReadAsync()).ReturnCode);
        await raw.WaitForCloseAsync();
    }

    [Fact]
    public async Task Empty_client_id_is_assigned_with_clean_session_and_rejected_without()
    {
        await using var broker = await StartAsync(output);
        await using (var anonymous = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint))
        {
            var accepted = await anonymous.HandshakeAsync(new ConnectPacket(string.Empty, CleanSession: true, KeepAliveSeconds: 0));
            Assert.Equal(0, accepted.ReturnCode);
            await anonymous.SendAsync(PingReqPacket.Instance);
            Assert.IsType<PingRespPacket>(await anonymous.ReadAsync());
        }

        await using var persistent = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        var refused = await persistent.HandshakeAsync(new ConnectPacket(string.Empty, CleanSession: false, KeepAliveSeconds: 0));
        Assert.Equal(2, refused.ReturnCode);
        await persistent.WaitForCloseAsync();
    }

    [Fact]
    public async Task Many_hostile_connections_at_once_do_not_disturb_a_healthy_client()
    {
        await using var broker = await StartAsync(output);
        var (healthy, received) = await HealthyPairAsync(broker);
        var attacks = Enumerable.Range(0, 20).Select(async i =>
        {
            await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
            await raw.SendAsync(i % 2 == 0 ? CodecTests.Hex("30 FF FF FF 7F") : CodecTests.Hex("00 01 02 03"));
            await raw.WaitForCloseAsync();
        });

        await Guard.Within(Task.WhenAll(attacks), "all hostile connections to be closed");
        await AssertStillServingAsync(healthy, received);
        await healthy.DisposeAsync();
    }

    private async Task<(MqttClient Client, MessageCollector Received)> HealthyPairAsync(MqttBroker broker)
    {
        var received = new MessageCollector();
        var client = await ConnectAsync(broker.LocalEndPoint, "healthy", output, received);
        await client.SubscribeAsync("health", MqttQos.AtLeastOnce, Guard.Token());
        return (client, received);
    }

    private static async Task AssertStillServingAsync(MqttClient healthy, MessageCollector received)
    {
        await healthy.PublishAsync(Message("health", "still fine", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("still fine", (await received.NextAsync()).Text());
        Assert.True(healthy.IsConnected);
    }
}
