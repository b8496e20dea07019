using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Our client against our broker over loopback: routing, QoS and retained messages.</summary>
public class PubSubTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce)]
    public async Task Published_message_reaches_the_subscriber(MqttQos qos)
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("greetings/+", qos, Guard.Token());

        await publisher.PublishAsync(Message("greetings/en", "hello", qos), Guard.Token());

        var message = await received.NextAsync();
        Assert.Equal("greetings/en", message.Topic);
        Assert.Equal("hello", message.Text());
        Assert.Equal(qos, message.Qos);
        Assert.False(message.Retain);
    }

    [Fact]
    public async Task Subscriber_granted_qos0_receives_a_qos1_publish_at_qos0()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("q", MqttQos.AtMostOnce, Guard.Token());

        await publisher.PublishAsync(Message("q", "x", MqttQos.AtLeastOnce), Guard.Token());

        Assert.Equal(MqttQos.AtMostOnce, (await received.NextAsync()).Qos);
    }

    [Fact]
    public async Task Wildcard_subscriptions_route_exactly_the_matching_topics()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("sensors/+/temp", MqttQos.AtLeastOnce, Guard.Token());
        await subscriber.SubscribeAsync("logs/#", MqttQos.AtLeastOnce, Guard.Token());
        await subscriber.SubscribeAsync("done", MqttQos.AtLeastOnce, Guard.Token());

        string[] topics = ["sensors/a/temp", "sensors/a/humidity", "sensors/a/b/temp", "logs", "logs/x/y", "other", "$SYS/logs", "sensors/b/temp"];
        foreach (var topic in topics)
        {
            await publisher.PublishAsync(Message(topic, topic, MqttQos.AtLeastOnce), Guard.Token());
        }

        // Messages from one publisher arrive in order, so everything routed arrives before this marker.
        await publisher.PublishAsync(Message("done", "end", MqttQos.AtLeastOnce), Guard.Token());
        var got = new List<string>();
        while ((await received.NextAsync()).Topic is var topic && topic != "done")
        {
            got.Add(topic);
        }

        Assert.Equal(["sensors/a/temp", "logs", "logs/x/y", "sensors/b/temp"], got);
    }

    [Fact]
    public async Task Overlapping_subscriptions_deliver_one_copy_at_the_highest_granted_qos()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("a/#", MqttQos.AtMostOnce, Guard.Token());
        await subscriber.SubscribeAsync("a/+", MqttQos.AtLeastOnce, Guard.Token());

        await publisher.PublishAsync(Message("a/b", "once", MqttQos.AtLeastOnce), Guard.Token());
        await publisher.PublishAsync(Message("a/end", "marker", MqttQos.AtLeastOnce), Guard.Token());

        var first = await received.NextAsync();
        Assert.Equal(("a/b", MqttQos.AtLeastOnce), (first.Topic, first.Qos));
        Assert.Equal("a/end", (await received.NextAsync()).Topic);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("x/#", MqttQos.AtLeastOnce, Guard.Token());
        await subscriber.SubscribeAsync("marker", MqttQos.AtLeastOnce, Guard.Token());
        await subscriber.UnsubscribeAsync("x/#", Guard.Token());

        await publisher.PublishAsync(Message("x/1", "gone", MqttQos.AtLeastOnce), Guard.Token());
        await publisher.PublishAsync(Message("marker", "m", MqttQos.AtLeastOnce), Guard.Token());

        Assert.Equal("marker", (await received.NextAsync()).Topic);
    }

    [Fact]
    public async Task Retained_message_reaches_a_late_subscriber_until_an_empty_payload_clears_it()
    {
        await using var broker = await StartAsync(output);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await publisher.PublishAsync(Message("status/worker1", "online", MqttQos.AtLeastOnce, retain: true), Guard.Token());

        var late = new MessageCollector();
        await using (var lateSubscriber = await ConnectAsync(broker.LocalEndPoint, "late", output, late))
        {
            await lateSubscriber.SubscribeAsync("status/+", MqttQos.AtLeastOnce, Guard.Token());
            var retained = await late.NextAsync("the retained message");
            Assert.Equal(("status/worker1", "online", true, MqttQos.AtLeastOnce), (retained.Topic, retained.Text(), retained.Retain, retained.Qos));

            // Live traffic to a subscriber is not flagged retained, even when the publisher set RETAIN [MQTT-3.3.1-9].
            await publisher.PublishAsync(Message("status/worker1", "busy", MqttQos.AtLeastOnce, retain: true), Guard.Token());
            var live = await late.NextAsync();
            Assert.Equal(("busy", false), (live.Text(), live.Retain));
        }

        await publisher.PublishAsync(new MqttApplicationMessage("status/worker1", ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, Retain: true), Guard.Token());
        var afterClear = new MessageCollector();
        await using var laterSubscriber = await ConnectAsync(broker.LocalEndPoint, "later", output, afterClear);
        await laterSubscriber.SubscribeAsync("status/#", MqttQos.AtLeastOnce, Guard.Token());
        await publisher.PublishAsync(Message("status/marker", "m", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("status/marker", (await afterClear.NextAsync()).Topic);
    }

    [Fact]
    public async Task Concurrent_publishers_on_one_client_lose_nothing_and_keep_each_callers_order()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        await subscriber.SubscribeAsync("load/#", MqttQos.AtLeastOnce, Guard.Token());
        const int Tasks = 8;
        const int PerTask = 200;

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < PerTask; i++)
            {
                var qos = i % 2 == 0 ? MqttQos.AtLeastOnce : MqttQos.AtMostOnce;
                await publisher.PublishAsync(Message($"load/{t}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), qos), Guard.Token());
            }
        })));

        var messages = await received.TakeAsync(Tasks * PerTask);
        foreach (var group in messages.GroupBy(m => m.Topic))
        {
            Assert.Equal(Enumerable.Range(0, PerTask), group.Select(m => int.Parse(m.Text(), System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public async Task Handler_exception_is_logged_and_the_message_still_acknowledged()
    {
        await using var broker = await StartAsync(output);
        var calls = 0;
        var logger = new TestLogger<MqttClient>(output, "sub");
        await using var subscriber = new MqttClient(Options(broker.LocalEndPoint, "sub"), logger)
        {
            MessageHandler = (_, _) =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("handler failure");
            },
        };
        await subscriber.ConnectAsync(Guard.Token());
        await subscriber.SubscribeAsync("boom", MqttQos.AtLeastOnce, Guard.Token());
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);

        await publisher.PublishAsync(Message("boom", "1", MqttQos.AtLeastOnce), Guard.Token());

        await Guard.UntilAsync(() => broker.PendingMessagesFor("sub") == 0 && Volatile.Read(ref calls) == 1, "the broker has the PUBACK");
        Assert.True(logger.Contains(Microsoft.Extensions.Logging.LogLevel.Error, "handler failed"));
    }

    [Fact]
    public async Task Handler_may_publish_at_qos1_and_await_the_puback()
    {
        await using var broker = await StartAsync(output);
        var replies = new MessageCollector();
        await using var requester = await ConnectAsync(broker.LocalEndPoint, "requester", output, replies);
        await requester.SubscribeAsync("reply", MqttQos.AtLeastOnce, Guard.Token());
        MqttClient? responder = null;
        responder = await ConnectAsync(broker.LocalEndPoint, "responder", output, configure: null);
        responder.MessageHandler = async (message, ct) =>
            await responder.PublishAsync(Message("reply", "re: " + message.Text(), MqttQos.AtLeastOnce), ct);
        await using (responder)
        {
            await responder.SubscribeAsync("request", MqttQos.AtLeastOnce, Guard.Token());
            await requester.PublishAsync(Message("request", "ping", MqttQos.AtLeastOnce), Guard.Token());
            Assert.Equal("re: ping", (await replies.NextAsync()).Text());
        }
    }

    [Fact]
    public async Task Invalid_topics_and_filters_are_argument_errors()
    {
        await using var broker = await StartAsync(output);
        await using var client = await ConnectAsync(broker.LocalEndPoint, "c", output);

        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(Message("a/+", "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(Message("a/#", "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(Message(string.Empty, "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(Message(new string('t', 65536), "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync("a/#/b", MqttQos.AtMostOnce));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync(string.Empty, MqttQos.AtMostOnce));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SubscribeAsync("a", (MqttQos)2));
    }

    [Fact]
    public async Task Oversized_publish_is_rejected_naming_both_sizes()
    {
        await using var broker = await StartAsync(output);
        await using var client = await ConnectAsync(broker.LocalEndPoint, "c", output, configure: o => o with { MaxPacketSize = 1024 });

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(new MqttApplicationMessage("big", new byte[2000])));
        Assert.Contains("2008 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1024", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_before_connect_is_an_invalid_operation()
    {
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", ClientId = "c" });
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PublishAsync(Message("t", "x")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("t", MqttQos.AtMostOnce));
    }

    [Fact]
    public async Task Disconnected_client_can_connect_again()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var client = await ConnectAsync(broker.LocalEndPoint, "again", output, received);
        await client.DisconnectAsync(Guard.Token());
        Assert.False(client.IsConnected);

        await client.ConnectAsync(Guard.Token());
        await client.SubscribeAsync("again", MqttQos.AtLeastOnce, Guard.Token());
        await client.PublishAsync(Message("again", "x", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("again", (await received.NextAsync()).Topic);
    }
}
