using System.Threading.Channels;
using Propeller.Mqtt.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>The client's life across broker restarts.</summary>
public class ReconnectTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Client_reconnects_after_a_broker_restart_on_the_same_port_and_resubscribes()
    {
        var port = FreePort.Get();
        var options = new MqttBrokerOptions { Port = port };
        var received = new MessageCollector();
        var changes = Channel.CreateUnbounded<bool>();
        var broker = await StartAsync(output, options);
        await using var subscriber = NewClient(Options(broker.LocalEndPoint, "sub"), output, received);
        subscriber.ConnectionChanged += connected => changes.Writer.TryWrite(connected);
        await subscriber.ConnectAsync(Guard.Token());
        Assert.True(await changes.Reader.ReadAsync(Guard.Token()));
        await subscriber.SubscribeAsync("restart/+", MqttQos.AtLeastOnce, Guard.Token());

        await broker.DisposeAsync();
        Assert.False(await changes.Reader.ReadAsync(Guard.Token()));
        Assert.False(subscriber.IsConnected);

        await using var restarted = await StartAsync(output, options);

        // Raised only after the subscriptions are restored.
        Assert.True(await changes.Reader.ReadAsync(Guard.Token()));
        Assert.True(subscriber.IsConnected);
        Assert.Equal(1, restarted.SubscriptionCount);
        await using var publisher = await ConnectAsync(restarted.LocalEndPoint, "pub", output);
        await publisher.PublishAsync(Message("restart/1", "after restart", MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal("after restart", (await received.NextAsync()).Text());
    }

    [Fact]
    public async Task Qos1_publish_issued_while_the_broker_is_down_is_delivered_when_it_returns()
    {
        var port = FreePort.Get();
        var received = new MessageCollector();
        var broker = await StartAsync(output, new MqttBrokerOptions { Port = port });
        await using var subscriber = await ConnectAsync(broker.LocalEndPoint, "sub", output, received);
        await subscriber.SubscribeAsync("outage", MqttQos.AtLeastOnce, Guard.Token());
        var subscriberBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ConnectionChanged += connected =>
        {
            if (connected)
            {
                subscriberBack.TrySetResult();
            }
        };
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        var publisherDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.ConnectionChanged += connected =>
        {
            if (!connected)
            {
                publisherDown.TrySetResult();
            }
        };

        await broker.DisposeAsync();
        await Guard.Within(publisherDown.Task, "the publisher to notice the outage");

        // Cancelled before it could be sent: abandoned, so it must not come out first after the reconnect.
        using (var cancel = new CancellationTokenSource())
        {
            var abandoned = publisher.PublishAsync(Message("outage", "abandoned", MqttQos.AtLeastOnce), cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        var publish = publisher.PublishAsync(Message("outage", "sent while down", MqttQos.AtLeastOnce), Guard.Token());

        // Keep the publisher out until the subscriber has re-subscribed, so the message has someone to go to.
        var subscriberReady = false;
        await using var restarted = await StartAsync(output, new MqttBrokerOptions
        {
            Port = port,
            Authenticate = request => request.ClientId != "pub" || Volatile.Read(ref subscriberReady),
        });
        await Guard.Within(subscriberBack.Task, "the subscriber to reconnect");
        Volatile.Write(ref subscriberReady, true);

        await Guard.Within(publish, "the PUBACK of the message published during the outage");
        Assert.Equal("sent while down", (await received.NextAsync()).Text());
    }

    [Fact]
    public async Task Qos0_publish_while_disconnected_waits_for_the_reconnection()
    {
        var port = FreePort.Get();
        var received = new MessageCollector();
        var broker = await StartAsync(output, new MqttBrokerOptions { Port = port });
        await using var publisher = await ConnectAsync(broker.LocalEndPoint, "pub", output);
        var publisherDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.ConnectionChanged += connected =>
        {
            if (!connected)
            {
                publisherDown.TrySetResult();
            }
        };
        await broker.DisposeAsync();
        await Guard.Within(publisherDown.Task, "the publisher to notice the outage");

        // Cancellation abandons the wait.
        using var cancel = new CancellationTokenSource();
        var abandoned = publisher.PublishAsync(Message("q0", "abandoned"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        var subscriberReady = false;
        await using var restarted = await StartAsync(output, new MqttBrokerOptions
        {
            Port = port,
            Authenticate = request => request.ClientId != "pub" || Volatile.Read(ref subscriberReady),
        });
        var pending = publisher.PublishAsync(Message("q0", "waited"), Guard.Token());
        await using var subscriber = await ConnectAsync(restarted.LocalEndPoint, "sub", output, received);
        await subscriber.SubscribeAsync("q0", MqttQos.AtMostOnce, Guard.Token());
        Volatile.Write(ref subscriberReady, true);

        await Guard.Within(pending, "the QoS 0 publish to be written after reconnecting");
        Assert.Equal("waited", (await received.NextAsync()).Text());
    }

    [Fact]
    public async Task Refused_first_connection_names_the_broker_and_return_code_5()
    {
        await using var broker = await StartAsync(output, new MqttBrokerOptions { Port = 0, Authenticate = r => r.Username == "admin" && r.Password == "secret" });
        await using var client = NewClient(Options(broker.LocalEndPoint, "intruder") with { Username = "admin", Password = "wrong" }, output);

        var ex = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));

        Assert.Equal((byte)5, ex.ConnectReturnCode);
        Assert.Contains("return code 5 (not authorized)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{broker.LocalEndPoint.Address}:{broker.LocalEndPoint.Port}", ex.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);

        await using var admin = NewClient(Options(broker.LocalEndPoint, "admin") with { Username = "admin", Password = "secret" }, output);
        await admin.ConnectAsync(Guard.Token());
        Assert.True(admin.IsConnected);
    }

    [Fact]
    public async Task Unreachable_broker_is_a_connection_exception_naming_host_and_port()
    {
        var port = FreePort.Get();
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "lonely" });

        var ex = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));

        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.ConnectReturnCode);
    }

    [Fact]
    public async Task Connect_with_retry_waits_for_a_broker_that_starts_later()
    {
        var port = FreePort.Get();
        await using var client = NewClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "early" }, output);
        var failures = Channel.CreateUnbounded<MqttConnectionException>();

        var connecting = client.ConnectWithRetryAsync((e, _) => failures.Writer.TryWrite(e), Guard.Token());
        var first = await failures.Reader.ReadAsync(Guard.Token());
        Assert.Contains($"127.0.0.1:{port}", first.Message, StringComparison.Ordinal);

        await using var broker = await StartAsync(output, new MqttBrokerOptions { Port = port });
        Assert.True(await connecting);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Connect_with_retry_gives_up_when_cancelled()
    {
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = FreePort.Get(), ClientId = "patient" });
        using var cancel = new CancellationTokenSource();
        var tries = 0;

        var connecting = client.ConnectWithRetryAsync((_, _) => { if (++tries == 2) { cancel.Cancel(); } }, cancel.Token);

        Assert.False(await connecting);
        Assert.Equal(2, tries);
    }

    [Fact]
    public async Task Broker_port_in_use_is_reported_with_address_and_port()
    {
        await using var first = await StartAsync(output);
        var port = first.LocalEndPoint.Port;
        await using var second = new MqttBroker(new MqttBrokerOptions { Port = port });

        var ex = await Assert.ThrowsAsync<IOException>(() => second.StartAsync());

        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
    }
}
