namespace Propeller.Mqtt.Packets;

/// <summary>CONNACK (section 3.2). The return code is a raw byte because reserved values may arrive from other brokers.</summary>
internal sealed record ConnAckPacket(bool SessionPresent, byte ReturnCode) : MqttPacket
{
    public ConnAckPacket(bool sessionPresent, ConnectReturnCode returnCode)
        : this(sessionPresent, (byte)returnCode)
    {
    }

    public override MqttPacketType Type => MqttPacketType.ConnAck;
}
