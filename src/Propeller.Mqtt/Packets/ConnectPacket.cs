namespace Propeller.Mqtt.Packets;

/// <summary>CONNECT (section 3.1). Protocol name and level are kept as received so the broker, not the decoder,
/// decides how to refuse an unsupported version (CONNACK 1).</summary>
internal sealed record ConnectPacket(
    string ClientId,
    bool CleanSession,
    ushort KeepAliveSeconds,
    string? Username = null,
    string? Password = null,
    MqttApplicationMessage? Will = null,
    string ProtocolName = ConnectPacket.MqttProtocolName,
    byte ProtocolLevel = ConnectPacket.MqttProtocolLevel) : MqttPacket
{
    public const string MqttProtocolName = "MQTT";

    /// <summary>Level 4 is MQTT 3.1.1.</summary>
    public const byte MqttProtocolLevel = 4;

    public override MqttPacketType Type => MqttPacketType.Connect;
}
