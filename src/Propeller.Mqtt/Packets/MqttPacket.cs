namespace Propeller.Mqtt.Packets;

/// <summary>Base of the MQTT control packets. Packets are plain data: the codec turns them into bytes and back, and
/// the client and broker never touch bytes themselves.</summary>
internal abstract record MqttPacket
{
    public abstract MqttPacketType Type { get; }
}
