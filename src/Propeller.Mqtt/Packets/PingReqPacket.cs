namespace Propeller.Mqtt.Packets;

/// <summary>PINGREQ (section 3.12). It carries nothing, so one instance serves everyone.</summary>
internal sealed record PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();

    public override MqttPacketType Type => MqttPacketType.PingReq;
}
