using System.Net;

namespace Propeller.Mqtt;

/// <summary>Settings of the embedded <see cref="MqttBroker"/>.</summary>
public sealed record MqttBrokerOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="MqttBroker.LocalEndPoint"/>).</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Largest packet accepted from a client, header included; larger ones drop the connection.</summary>
    public int MaxPacketSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>Per-client bound on undelivered messages. Beyond it QoS 0 messages are dropped and a connected client
    /// whose unacknowledged QoS 1 messages reach it is disconnected (an offline session drops new ones).</summary>
    public int MaxQueuedMessagesPerClient { get; init; } = 10_000;

    /// <summary>null accepts everyone; returning false answers CONNACK 5 (not authorized).</summary>
    public Func<MqttConnectRequest, bool>? Authenticate { get; init; }

    /// <summary>(client, message) -> may publish? null allows all. The message (payload included) lets a policy check
    /// what a client claims to be inside it. A denied QoS 1 publish is still acknowledged (MQTT 3.1.1 has no negative
    /// PUBACK) and then dropped; a will is checked the same way when it would be published.</summary>
    public Func<MqttConnectRequest, MqttApplicationMessage, bool>? AuthorizePublish { get; init; }

    /// <summary>(client, filter) -> may subscribe? null allows all. Denied filters get SUBACK 0x80.</summary>
    public Func<MqttConnectRequest, string, bool>? AuthorizeSubscribe { get; init; }
}
