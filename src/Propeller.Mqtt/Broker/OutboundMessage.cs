namespace Propeller.Mqtt.Broker;

/// <summary>A QoS 1 message owed to a session's client, kept until its PUBACK.</summary>
internal sealed class OutboundMessage
{
    public OutboundMessage(MqttApplicationMessage message, bool retain)
    {
        Message = message;
        Retain = retain;
    }

    public MqttApplicationMessage Message { get; }

    /// <summary>The RETAIN flag to send: set only for deliveries caused by a new subscription.</summary>
    public bool Retain { get; }

    /// <summary>Handed to a connection at least once, so a re-send carries DUP=1 [MQTT-3.3.1-1].</summary>
    public bool Sent { get; set; }
}
