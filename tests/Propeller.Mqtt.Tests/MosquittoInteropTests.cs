using Propeller.Mqtt.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Our client against Debian's real Mosquitto broker.</summary>
public sealed class MosquittoBrokerInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MosquittoProcess? _mosquitto;

    private MosquittoProcess Mosquitto => _mosquitto ?? throw new InvalidOperationException("Mosquitto is not started.");

    public async Task InitializeAsync() => _mosquitto = await MosquittoProcess.StartAsync(cancellationToken: Guard.Token());

    public async Task DisposeAsync()
    {
        if (_mosquitto is not null)
        {
            output.WriteLine(_mosquitto.Output);
            await _mosquitto.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce)]
    public async Task Publish_and_subscribe_through_mosquitto(MqttQos qos)
    {
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(Endpoint(), "sub", output, received);
        await using var publisher = await ConnectAsync(Endpoint(), "pub", output);
        await subscriber.SubscribeAsync("interop/+/data", qos, Guard.Token());

        await publisher.PublishAsync(Message("interop/a/data", "via mosquitto", qos), Guard.Token());
        await publisher.PublishAsync(Message("interop/a/other", "not routed", qos), Guard.Token());
        await publisher.PublishAsync(Message("interop/b/data", "second", qos), Guard.Token());

        var messages = await received.TakeAsync(2);
        Assert.Equal(["via mosquitto", "second"], messages.Select(m => m.Text()));
        Assert.All(messages, m => Assert.Equal(qos, m.Qos));
    }

    [Fact]
    public async Task Retained_message_from_mosquitto_reaches_a_late_subscriber()
    {
        await using var publisher = await ConnectAsync(Endpoint(), "pub", output);
        await publisher.PublishAsync(Message("interop/retained", "kept", MqttQos.AtLeastOnce, retain: true), Guard.Token());

        var received = new MessageCollector();
        await using var late = await ConnectAsync(Endpoint(), "late", output, received);
        await late.SubscribeAsync("interop/retained", MqttQos.AtLeastOnce, Guard.Token());

        var message = await received.NextAsync("the retained message");
        Assert.Equal(("kept", true), (message.Text(), message.Retain));
    }

    [Fact]
    public async Task Mosquitto_publishes_our_will_when_our_socket_dies()
    {
        var wills = new MessageCollector();
        await using var watcher = await ConnectAsync(Endpoint(), "watcher", output, wills);
        await watcher.SubscribeAsync("interop/wills/#", MqttQos.AtLeastOnce, Guard.Token());
        await using var mortal = await ConnectAsync(Endpoint(), "mortal", output,
            configure: o => o with { Will = Message("interop/wills/mortal", "gone", MqttQos.AtLeastOnce) });

        mortal.AbortConnection();

        Assert.Equal("gone", (await wills.NextAsync("the will via mosquitto")).Text());
    }

    [Fact]
    public async Task Persistent_session_on_mosquitto_delivers_queued_messages()
    {
        await using (var first = await ConnectAsync(Endpoint(), "durable", output, configure: o => o with { CleanSession = false }))
        {
            await first.SubscribeAsync("interop/queue", MqttQos.AtLeastOnce, Guard.Token());
            await first.DisconnectAsync(Guard.Token());
        }

        await using var publisher = await ConnectAsync(Endpoint(), "pub", output);
        await publisher.PublishAsync(Message("interop/queue", "while away", MqttQos.AtLeastOnce), Guard.Token());

        var received = new MessageCollector();
        await using var second = NewClient(Options(Endpoint(), "durable") with { CleanSession = false }, output, received);
        await second.ConnectAsync(Guard.Token());
        Assert.True(second.LastSessionPresent);
        Assert.Equal("while away", (await received.NextAsync()).Text());
    }

    [Fact]
    public async Task Client_reconnects_when_mosquitto_restarts()
    {
        var port = FreePort.Get();
        var received = new MessageCollector();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = false;
        var mosquitto = await MosquittoProcess.StartAsync(port, cancellationToken: Guard.Token());
        await using var subscriber = NewClient(Options(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), "sub"), output, received);
        subscriber.ConnectionChanged += connected =>
        {
            if (!connected)
            {
                Volatile.Write(ref lost, true);
            }
            else if (Volatile.Read(ref lost))
            {
                reconnected.TrySetResult();
            }
        };
        await subscriber.ConnectAsync(Guard.Token());
        await subscriber.SubscribeAsync("interop/restart", MqttQos.AtLeastOnce, Guard.Token());

        await mosquitto.DisposeAsync();
        await using var restarted = await MosquittoProcess.StartAsync(port, cancellationToken: Guard.Token());
        await Guard.Within(reconnected.Task, "the reconnection to the restarted mosquitto");

        await using var publisher = await ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), "pub", output);
        await publisher.PublishAsync(Message("interop/restart", "back", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("back", (await received.NextAsync()).Text());
    }

    private System.Net.IPEndPoint Endpoint() => new(System.Net.IPAddress.Loopback, Mosquitto.Port);
}

/// <summary>Mosquitto's command line clients against our broker.</summary>
public sealed class MosquittoClientsInteropTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Mosquitto_sub_receives_what_mosquitto_pub_sends_through_our_broker(int qos)
    {
        await using var broker = await StartAsync(output);
        var port = broker.LocalEndPoint.Port;
        using var sub = MosquittoClients.Subscribe(port, "cli/+", qos);
        await Guard.UntilAsync(() => broker.SubscriptionCount == 1, "mosquitto_sub has subscribed");

        await MosquittoClients.PublishAsync(port, "cli/one", "from mosquitto_pub", qos);

        var lines = await sub.WaitForExitAsync();
        Assert.Contains("cli/one from mosquitto_pub", lines);
    }

    [Fact]
    public async Task Our_client_receives_what_mosquitto_pub_sends()
    {
        await using var broker = await StartAsync(output);
        var received = new MessageCollector();
        await using var client = await ConnectAsync(broker.LocalEndPoint, "ours", output, received);
        await client.SubscribeAsync("cli/#", MqttQos.AtLeastOnce, Guard.Token());

        await MosquittoClients.PublishAsync(broker.LocalEndPoint.Port, "cli/x", "hello ours", qos: 1);

        var message = await received.NextAsync();
        Assert.Equal(("cli/x", "hello ours", MqttQos.AtLeastOnce), (message.Topic, message.Text(), message.Qos));
    }

    [Fact]
    public async Task Mosquitto_sub_receives_what_our_client_publishes()
    {
        await using var broker = await StartAsync(output);
        using var sub = MosquittoClients.Subscribe(broker.LocalEndPoint.Port, "cli/ours", qos: 1);
        await Guard.UntilAsync(() => broker.SubscriptionCount == 1, "mosquitto_sub has subscribed");
        await using var client = await ConnectAsync(broker.LocalEndPoint, "ours", output);

        await client.PublishAsync(Message("cli/ours", "hello mosquitto", MqttQos.AtLeastOnce), Guard.Token());

        Assert.Contains("cli/ours hello mosquitto", await sub.WaitForExitAsync());
    }

    [Fact]
    public async Task Retained_message_from_mosquitto_pub_reaches_a_later_mosquitto_sub()
    {
        await using var broker = await StartAsync(output);
        var port = broker.LocalEndPoint.Port;
        await MosquittoClients.PublishAsync(port, "cli/retained", "kept for later", qos: 1, retain: true);

        using var sub = MosquittoClients.Subscribe(port, "cli/retained", qos: 1);

        var lines = await sub.WaitForExitAsync();
        Assert.Contains("cli/retained kept for later", lines);
        Assert.Contains(lines, l => l.Contains("r1", StringComparison.Ordinal) && l.Contains("received PUBLISH", StringComparison.Ordinal));
    }
}
