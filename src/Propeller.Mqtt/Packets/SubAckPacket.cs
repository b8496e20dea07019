namespace Propeller.Mqtt.Packets;

/// <summary>SUBACK (section 3.9): one granted QoS (or <see cref="Failure"/>) per requested filter, in order.</summary>
internal sealed record SubAckPacket(ushort PacketId, IReadOnlyList<byte> ReturnCodes) : MqttPacket
{
    public const byte Failure = 0x80;

    public override MqttPacketType Type => MqttPacketType.SubAck;
}
