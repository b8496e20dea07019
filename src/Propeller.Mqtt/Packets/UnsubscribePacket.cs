namespace Propeller.Mqtt.Packets;

/// <summary>UNSUBSCRIBE (section 3.10).</summary>
internal sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> TopicFilters) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
}
