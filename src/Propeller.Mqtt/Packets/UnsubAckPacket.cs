namespace Propeller.Mqtt.Packets;

/// <summary>UNSUBACK (section 3.11).</summary>
internal sealed record UnsubAckPacket(ushort PacketId) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;
}
