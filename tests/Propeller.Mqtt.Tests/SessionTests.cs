using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Wills, keep-alive, take-over and persistent sessions on our broker.</summary>
public class SessionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Will_is_published_when_the_clients_socket_is_killed()
    {
        await using var broker = await StartAsync(output);
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(broker.LocalEndPoint, "watcher", output, wills);
        await watcher.SubscribeAsync("wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var mortal = await ConnectAsync(broker.LocalEndPoint, "mortal", output,
            configure: o => o with { Will = Message("wills/mortal", "gone", MqttQos.AtLeastOnce) });

        mortal.AbortConnection();

        var will = await wills.NextAsync("the will");
        Assert.Equal(("wills/mortal", "gone"), (will.Topic, will.Text()));
    }

    [Fact]
    public async Task Will_is_not_published_after_a_clean_disconnect()
    {
        await using var broker = await StartAsync(output);
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(broker.LocalEndPoint, "watcher", output, wills);
        await watcher.SubscribeAsync("wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var polite = await ConnectAsync(broker.LocalEndPoint, "polite", output,
            configure: o => o with { Will = Message("wills/polite", "gone", MqttQos.AtLeastOnce) });

        await polite.DisconnectAsync(Guard.Token());

        // Once the broker has finished with the connection (a will would have been routed by then), a marker on
        // the same topic must be the first thing the watcher sees.
        await Guard.UntilAsync(() => broker.ConnectedClients == 1, "the broker released the polite client");
        await watcher.PublishAsync(Message("wills/polite", "marker", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("marker", (await wills.NextAsync()).Text());
    }

    [Fact]
    public async Task Silence_beyond_one_and_a_half_keep_alives_closes_the_connection_and_publishes_the_will()
    {
        await using var broker = await StartAsync(output);
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(broker.LocalEndPoint, "watcher", output, wills);
        await watcher.SubscribeAsync("wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var silent = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await silent.HandshakeAsync(new ConnectPacket("silent", CleanSession: true, KeepAliveSeconds: 1,
            Will: Message("wills/silent", "timed out")));

        // Say nothing: the broker gives up after 1.5 s.
        await silent.WaitForCloseAsync();

        Assert.Equal("timed out", (await wills.NextAsync("the will")).Text());
    }

    [Fact]
    public async Task Protocol_violation_closes_the_connection_and_publishes_the_will()
    {
        await using var broker = await StartAsync(output);
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(broker.LocalEndPoint, "watcher", output, wills);
        await watcher.SubscribeAsync("wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var rude = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await rude.HandshakeAsync(new ConnectPacket("rude", CleanSession: true, KeepAliveSeconds: 0,
            Will: Message("wills/rude", "violated")));

        await rude.SendAsync(CodecTests.Hex("30 05 00 03 61 2F 23"));

        await rude.WaitForCloseAsync();
        Assert.Equal("violated", (await wills.NextAsync("the will")).Text());
    }

    [Fact]
    public async Task Second_connection_with_the_same_client_id_takes_over_and_the_first_ones_will_is_published()
    {
        await using var broker = await StartAsync(output);
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(broker.LocalEndPoint, "watcher", output, wills);
        await watcher.SubscribeAsync("wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var first = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        await first.HandshakeAsync(new ConnectPacket("twin", CleanSession: true, KeepAliveSeconds: 0,
            Will: Message("wills/twin", "first one gone", MqttQos.AtLeastOnce)));

        var received = new MessageCollector();
        await using var second = await ConnectAsync(broker.LocalEndPoint, "twin", output, received);

        await first.WaitForCloseAsync();

        // MQTT 3.1.1 [MQTT-3.1.2-8]: the connection closed without DISCONNECT, so its will is published.
        Assert.Equal("first one gone", (await wills.NextAsync("the first connection's will")).Text());
        await second.SubscribeAsync("twin/in", MqttQos.AtLeastOnce, Guard.Token());
        await watcher.PublishAsync(Message("twin/in", "to the new one", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("to the new one", (await received.NextAsync()).Text());
        Assert.Equal(2, broker.ConnectedClients);
    }

    [Fact]
    public async Task Persistent_session_keeps_subscriptions_and_queues_qos1_messages_while_offline()
    {
        await using var broker = await StartAsync(output);
        var persistent = (MqttClientOptions o) => o with { CleanSession = false };
        await using (var first = await ConnectAsync(broker.LocalEndPoint, "durable", output, configure: persistent))
        {
            Assert.False(first.LastSessionPresent);
            await first.SubscribeAsync("jobs/#", MqttQos.AtLeastOnce, Guard.Token());
            await first.DisconnectAsync(Guard.Token());
        }

        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);

        // QoS 0 is not queued for offline clients. (Sent first: the QoS 1 acknowledgements below prove the broker
        // has handled it.)
        await publisher.PublishAsync(Message("jobs/0", "fire and forget"), Guard.Token());
        for (var i = 1; i <= 3; i++)
        {
            await publisher.PublishAsync(Message($"jobs/{i}", $"job {i}", MqttQos.AtLeastOnce), Guard.Token());
        }

        Assert.Equal(3, broker.PendingMessagesFor("durable"));

        var received = new MessageCollector();
        await using var second = NewClient(Options(broker.LocalEndPoint, "durable") with { CleanSession = false }, output, received);
        await second.ConnectAsync(Guard.Token());

        Assert.True(second.LastSessionPresent);
        Assert.Equal(["job 1", "job 2", "job 3"], (await received.TakeAsync(3)).Select(m => m.Text()));

        // The subscription itself survived too.
        await publisher.PublishAsync(Message("jobs/4", "job 4", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("job 4", (await received.NextAsync()).Text());
        await Guard.UntilAsync(() => broker.PendingMessagesFor("durable") == 0, "all queued messages are acknowledged");
    }

    [Fact]
    public async Task Clean_session_discards_a_stored_session()
    {
        await using var broker = await StartAsync(output);
        await using (var first = await ConnectAsync(broker.LocalEndPoint, "fickle", output, configure: o => o with { CleanSession = false }))
        {
            await first.SubscribeAsync("fickle/#", MqttQos.AtLeastOnce, Guard.Token());
            await first.DisconnectAsync(Guard.Token());
        }

        await using var second = await ConnectAsync(broker.LocalEndPoint, "fickle", output);
        Assert.False(second.LastSessionPresent);
        Assert.Equal(0, broker.SubscriptionCount);
    }

    [Fact]
    public async Task Unacknowledged_messages_are_redelivered_with_dup_when_the_session_resumes()
    {
        await using var broker = await StartAsync(output);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await using (var first = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint))
        {
            await first.HandshakeAsync(new ConnectPacket("forgetful", CleanSession: false, KeepAliveSeconds: 0));
            await first.SendAsync(new SubscribePacket(1, [new TopicSubscription("inbox", 1)]));
            Assert.IsType<SubAckPacket>(await first.ReadAsync());
            await publisher.PublishAsync(Message("inbox", "unacked", MqttQos.AtLeastOnce), Guard.Token());
            var original = Assert.IsType<PublishPacket>(await first.ReadAsync());
            Assert.False(original.Dup);

            // Crash without acknowledging.
            first.Abort();
        }

        await Guard.UntilAsync(() => broker.ConnectedClients == 1, "the broker noticed the crash");
        await using var again = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        var connAck = await again.HandshakeAsync(new ConnectPacket("forgetful", CleanSession: false, KeepAliveSeconds: 0));
        Assert.True(connAck.SessionPresent);
        var redelivered = Assert.IsType<PublishPacket>(await again.ReadAsync());
        Assert.True(redelivered.Dup);
        Assert.Equal("unacked", System.Text.Encoding.UTF8.GetString(redelivered.Payload.Span));
        await again.SendAsync(new PubAckPacket(redelivered.PacketId));
        await Guard.UntilAsync(() => broker.PendingMessagesFor("forgetful") == 0, "the redelivery is acknowledged");
    }
}
