namespace Propeller.Mqtt.Packets;

/// <summary>PUBACK (section 3.4): the QoS 1 acknowledgement.</summary>
internal sealed record PubAckPacket(ushort PacketId) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubAck;
}
