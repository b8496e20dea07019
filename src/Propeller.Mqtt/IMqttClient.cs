namespace Propeller.Mqtt;

/// <summary>An MQTT 3.1.1 client that keeps itself connected once it has connected.</summary>
public interface IMqttClient : IAsyncDisposable
{
    bool IsConnected { get; }

    /// <summary>Raised with true on every (re)connection, false on every loss.</summary>
    event Action<bool>? ConnectionChanged;

    /// <summary>Receives messages in arrival order, one at a time. A QoS 1 message is acknowledged after the handler
    /// returns, even when it throws (the exception is logged).</summary>
    Func<MqttApplicationMessage, CancellationToken, Task>? MessageHandler { get; set; }

    /// <summary>Connects for the first time; throws <see cref="MqttConnectionException"/> when refused, unreachable or
    /// timed out. After that the client reconnects by itself and restores its subscriptions.</summary>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Subscribes and waits for the SUBACK. The filter is remembered and re-subscribed after reconnects.</summary>
    Task SubscribeAsync(string topicFilter, MqttQos qos, CancellationToken cancellationToken = default);

    Task UnsubscribeAsync(string topicFilter, CancellationToken cancellationToken = default);

    /// <summary>QoS 0 completes once written to the socket, QoS 1 once acknowledged. While disconnected both wait for
    /// the reconnection; unacknowledged QoS 1 messages are re-sent after it.</summary>
    Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default);

    /// <summary>Sends DISCONNECT (so no will is published) and stops reconnecting.</summary>
    Task DisconnectAsync(CancellationToken cancellationToken = default);
}
