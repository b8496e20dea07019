namespace Propeller.Mqtt.Codec;

/// <summary>The peer sent bytes that are not valid MQTT 3.1.1 (or use a feature we refuse, such as QoS 2). Whoever
/// catches it closes that one connection; it never escapes to the application.</summary>
internal sealed class MqttProtocolException : Exception
{
    public MqttProtocolException()
        : base("Malformed MQTT packet.")
    {
    }

    public MqttProtocolException(string message)
        : base(message)
    {
    }

    public MqttProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
