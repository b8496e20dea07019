using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Authorization hooks and per-client queue limits.</summary>
public class BrokerPolicyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Denied_subscription_gets_suback_0x80_and_the_client_throws()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions
        {
            Port = 0,
            AuthorizeSubscribe = (client, filter) => !filter.StartsWith("secret", StringComparison.Ordinal),
        });
        await using var client = await ConnectAsync(broker.LocalEndPoint, "curious", output);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("secret/#", MqttQos.AtLeastOnce, Guard.Token()));
        Assert.Contains("0x80", ex.Message, StringComparison.Ordinal);
        await client.SubscribeAsync("public/#", MqttQos.AtLeastOnce, Guard.Token());
        Assert.Equal(1, broker.SubscriptionCount);
    }

    [Fact]
    public async Task Denied_qos1_publish_is_acknowledged_and_dropped()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions
        {
            Port = 0,
            AuthorizePublish = (client, message) => client.ClientId != "mallory" || message.Topic != "commands",
        });
        var received = new MessageCollector();
        await using var victim = await ConnectAsync(broker.LocalEndPoint, "victim", output, received);
        await victim.SubscribeAsync("commands", MqttQos.AtLeastOnce, Guard.Token());
        await using var mallory = await ConnectAsync(broker.LocalEndPoint, "mallory", output);
        await using var alice = await ConnectAsync(broker.LocalEndPoint, "alice", output);

        await mallory.PublishAsync(Message("commands", "rm -rf", MqttQos.AtLeastOnce), Guard.Token());
        await alice.PublishAsync(Message("commands", "hello", MqttQos.AtLeastOnce), Guard.Token());

        Assert.Equal("hello", (await received.NextAsync()).Text());
    }

    [Fact]
    public async Task Subscriber_that_stops_reading_loses_qos0_messages_without_slowing_others()
    {
        var logger = new TestLogger<MqttBroker>(output, "broker");
        await using var broker = new MqttBroker(new MqttBrokerOptions { Port = 0, MaxQueuedMessagesPerClient = 50 }, logger);
        await broker.StartAsync();
        await using var stalled = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await stalled.HandshakeAsync(new ConnectPacket("stalled", CleanSession: true, KeepAliveSeconds: 0));
        await stalled.SendAsync(new SubscribePacket(1, [new TopicSubscription("flood", 0)]));
        Assert.IsType<SubAckPacket>(await stalled.ReadAsync());
        var received = new MessageCollector();
        await using var healthy = await ConnectAsync(broker.LocalEndPoint, "healthy", output, received);
        await healthy.SubscribeAsync("flood", MqttQos.AtMostOnce, Guard.Token());
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);

        // 600 x 64 KiB is far more than the stalled socket's kernel buffers plus its 50-message queue can hold; it
        // never reads any of it. Publishing in lockstep with the healthy subscriber shows it is never held up (and
        // keeps its own queue short, so only the stalled client's messages are dropped).
        var payload = new byte[64 * 1024];
        for (var i = 0; i < 600; i++)
        {
            await publisher.PublishAsync(new MqttApplicationMessage("flood", payload), Guard.Token());
            await received.NextAsync($"message {i}");
        }

        Assert.True(logger.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "stalled is not reading fast enough"));
        Assert.Equal(3, broker.ConnectedClients);
    }

    [Fact]
    public async Task Subscriber_that_never_acknowledges_is_disconnected_at_the_qos1_limit()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions { Port = 0, MaxQueuedMessagesPerClient = 5 });
        await using var deaf = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await deaf.HandshakeAsync(new ConnectPacket("deaf", CleanSession: true, KeepAliveSeconds: 0));
        await deaf.SendAsync(new SubscribePacket(1, [new TopicSubscription("work", 1)]));
        Assert.IsType<SubAckPacket>(await deaf.ReadAsync());
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);

        for (var i = 0; i < 6; i++)
        {
            await publisher.PublishAsync(Message("work", $"job {i}", MqttQos.AtLeastOnce), Guard.Token());
        }

        await deaf.WaitForCloseAsync();
        await Guard.UntilAsync(() => broker.ConnectedClients == 1, "the deaf client is released");
    }
}
