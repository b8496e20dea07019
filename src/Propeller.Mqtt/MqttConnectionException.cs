namespace Propeller.Mqtt;

/// <summary>The first connection to a broker failed: refused by the broker, unreachable or timed out.</summary>
public sealed class MqttConnectionException : Exception
{
    public MqttConnectionException()
        : base("Could not connect to the MQTT broker.")
    {
    }

    public MqttConnectionException(string message)
        : base(message)
    {
    }

    public MqttConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public MqttConnectionException(string message, byte? connectReturnCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ConnectReturnCode = connectReturnCode;
    }

    /// <summary>The CONNACK return code when the broker answered but refused; null when it never answered.</summary>
    public byte? ConnectReturnCode { get; }
}
