namespace Propeller.Mqtt.Packets;

/// <summary>PINGRESP (section 3.13).</summary>
internal sealed record PingRespPacket : MqttPacket
{
    public static readonly PingRespPacket Instance = new();

    public override MqttPacketType Type => MqttPacketType.PingResp;
}
