using System.Net;
using System.Net.Sockets;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Mqtt.Tests;

/// <summary>Our client against a scripted fake broker, to observe exactly what it sends.</summary>
public class FakeBrokerTests(ITestOutputHelper output) : IDisposable
{
    private readonly Socket _listener = Listen();

    private int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    [Fact]
    public async Task Idle_client_sends_pingreq_and_reconnects_when_no_pingresp_comes()
    {
        await using var client = new MqttClient(Options("pinger") with { KeepAlive = TimeSpan.FromSeconds(1) }, new TestLogger<MqttClient>(output));
        var connecting = client.ConnectAsync(Guard.Token());
        await using var first = await AcceptAsync();
        var connect = Assert.IsType<ConnectPacket>(await first.ReadAsync());
        Assert.Equal(1, connect.KeepAliveSeconds);
        await first.SendAsync(new ConnAckPacket(false, ConnectReturnCode.Accepted));
        await connecting;

        Assert.IsType<PingReqPacket>(await first.ReadAsync());

        // No PINGRESP: the client gives up on this connection and opens another.
        await first.WaitForCloseAsync();
        await using var second = await AcceptAsync();
        Assert.IsType<ConnectPacket>(await second.ReadAsync());
        await second.SendAsync(new ConnAckPacket(false, ConnectReturnCode.Accepted));
        Assert.IsType<PingReqPacket>(await second.ReadAsync());
        await second.SendAsync(PingRespPacket.Instance);
    }

    [Fact]
    public async Task Unacknowledged_qos1_messages_are_resent_in_order_with_dup_after_reconnecting()
    {
        await using var client = new MqttClient(Options("resender"), new TestLogger<MqttClient>(output));
        var connecting = client.ConnectAsync(Guard.Token());
        var first = await AcceptAsync();
        var connect = Assert.IsType<ConnectPacket>(await first.ReadAsync());
        Assert.Equal(("resender", true, ConnectPacket.MqttProtocolLevel), (connect.ClientId, connect.CleanSession, connect.ProtocolLevel));
        await first.SendAsync(new ConnAckPacket(false, ConnectReturnCode.Accepted));
        await connecting;

        var one = client.PublishAsync(TestBroker.Message("t", "one", MqttQos.AtLeastOnce), Guard.Token());
        var two = client.PublishAsync(TestBroker.Message("t", "two", MqttQos.AtLeastOnce), Guard.Token());
        var sentOne = Assert.IsType<PublishPacket>(await first.ReadAsync());
        var sentTwo = Assert.IsType<PublishPacket>(await first.ReadAsync());
        Assert.False(sentOne.Dup || sentTwo.Dup);
        first.Abort();
        await first.DisposeAsync();

        await using var second = await AcceptAsync();
        Assert.IsType<ConnectPacket>(await second.ReadAsync());
        await second.SendAsync(new ConnAckPacket(false, ConnectReturnCode.Accepted));
        var againOne = Assert.IsType<PublishPacket>(await second.ReadAsync());
        var againTwo = Assert.IsType<PublishPacket>(await second.ReadAsync());
        Assert.Equal((sentOne.PacketId, true, "one"), (againOne.PacketId, againOne.Dup, Text(againOne)));
        Assert.Equal((sentTwo.PacketId, true, "two"), (againTwo.PacketId, againTwo.Dup, Text(againTwo)));
        Assert.False(one.IsCompleted);

        await second.SendAsync(new PubAckPacket(againOne.PacketId));
        await second.SendAsync(new PubAckPacket(againTwo.PacketId));
        await Guard.Within(Task.WhenAll(one, two), "both PUBACKs");
    }

    [Fact]
    public async Task Connect_carries_credentials_will_and_clean_session_flag()
    {
        var options = Options("full") with
        {
            Username = "user",
            Password = "pass",
            CleanSession = false,
            KeepAlive = TimeSpan.FromSeconds(45),
            Will = TestBroker.Message("wills/full", "bye", MqttQos.AtLeastOnce, retain: true),
        };
        await using var client = new MqttClient(options, new TestLogger<MqttClient>(output));
        var connecting = client.ConnectAsync(Guard.Token());
        await using var server = await AcceptAsync();

        var connect = Assert.IsType<ConnectPacket>(await server.ReadAsync());
        await server.SendAsync(new ConnAckPacket(true, ConnectReturnCode.Accepted));
        await connecting;

        Assert.Equal(("full", false, (ushort)45, "user", "pass"), (connect.ClientId, connect.CleanSession, connect.KeepAliveSeconds, connect.Username, connect.Password));
        Assert.Equal(("wills/full", "bye", MqttQos.AtLeastOnce, true), (connect.Will!.Topic, connect.Will.Text(), connect.Will.Qos, connect.Will.Retain));
        Assert.True(client.LastSessionPresent);
    }

    [Fact]
    public async Task Disconnect_sends_disconnect_and_stops_reconnecting()
    {
        await using var client = new MqttClient(Options("leaver"), new TestLogger<MqttClient>(output));
        var connecting = client.ConnectAsync(Guard.Token());
        await using var server = await AcceptAsync();
        Assert.IsType<ConnectPacket>(await server.ReadAsync());
        await server.SendAsync(new ConnAckPacket(false, ConnectReturnCode.Accepted));
        await connecting;

        await client.DisconnectAsync(Guard.Token());

        Assert.IsType<DisconnectPacket>(await server.ReadAsync());
        await server.WaitForCloseAsync();
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PublishAsync(TestBroker.Message("t", "x")));
    }

    [Fact]
    public async Task Connect_times_out_when_no_connack_arrives()
    {
        await using var client = new MqttClient(Options("patient") with { ConnectTimeout = TimeSpan.FromMilliseconds(300) }, new TestLogger<MqttClient>(output));
        var connecting = client.ConnectAsync(Guard.Token());

        // The fake broker accepts the TCP connection (the kernel does, even before this accept) and never answers.
        await using var server = await AcceptAsync();

        var ex = await Assert.ThrowsAsync<MqttConnectionException>(() => connecting);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{Port}", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _listener.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(8);
        return socket;
    }

    private static string Text(PublishPacket packet) => System.Text.Encoding.UTF8.GetString(packet.Payload.Span);

    private MqttClientOptions Options(string clientId) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        ClientId = clientId,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    private async Task<RawMqttConnection> AcceptAsync() =>
        RawMqttConnection.FromAccepted(await _listener.AcceptAsync(Guard.Token()));
}
