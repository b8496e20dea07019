namespace Propeller.Mqtt.Packets;

/// <summary>SUBSCRIBE (section 3.8).</summary>
internal sealed record SubscribePacket(ushort PacketId, IReadOnlyList<TopicSubscription> Subscriptions) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;
}

/// <summary>One filter of a SUBSCRIBE. The requested QoS is a byte because a peer may ask for 2, which we grant as 1.</summary>
internal readonly record struct TopicSubscription(string Filter, byte RequestedQos);
