namespace Propeller.Mqtt.Packets;

/// <summary>DISCONNECT (section 3.14): a clean goodbye, after which the broker discards the will.</summary>
internal sealed record DisconnectPacket : MqttPacket
{
    public static readonly DisconnectPacket Instance = new();

    public override MqttPacketType Type => MqttPacketType.Disconnect;
}
