using Propeller.Mqtt.Tests.Support;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests.Fuzz;

/// <summary>A well-behaved client subscribed to its own topic: its publish/subscribe round trip shows the broker still serves.</summary>
internal sealed class HealthyClient : IAsyncDisposable
{
    private readonly MqttClient _client;
    private readonly MessageCollector _received;
    private readonly string _topic;
    private int _sent;

    private HealthyClient(MqttClient client, MessageCollector received, string topic)
    {
        _client = client;
        _received = received;
        _topic = topic;
    }

    public static async Task<HealthyClient> ConnectAsync(MqttBroker broker, ITestOutputHelper output)
    {
        var id = $"healthy-{Guid.NewGuid():N}";
        var received = new MessageCollector();
        var client = await TestBroker.ConnectAsync(broker.LocalEndPoint, id, output, received);
        await client.SubscribeAsync($"health/{id}", MqttQos.AtLeastOnce, Guard.Token());
        return new HealthyClient(client, received, $"health/{id}");
    }

    /// <summary>Publishes at QoS 1 and waits for the same message to come back.</summary>
    public async Task RoundTripAsync()
    {
        var text = $"round trip {++_sent}";
        await _client.PublishAsync(Message(_topic, text, MqttQos.AtLeastOnce), Guard.Token());
        Assert.Equal(text, (await _received.NextAsync("the healthy client's round trip")).Text());
        Assert.True(_client.IsConnected, "the healthy client is still connected");
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
