namespace Propeller.Mqtt.Packets;

/// <summary>PUBLISH (section 3.3). PacketId is 0 for QoS 0, which carries none on the wire.</summary>
internal sealed record PublishPacket(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    MqttQos Qos = MqttQos.AtMostOnce,
    bool Retain = false,
    bool Dup = false,
    ushort PacketId = 0) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Publish;

    public MqttApplicationMessage ToMessage() => new(Topic, Payload, Qos, Retain);
}
