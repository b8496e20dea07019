namespace Propeller.Mqtt.Transport;

/// <summary>An operation needed a connection that is gone. The client catches it to wait for the next connection.</summary>
internal sealed class ConnectionClosedException : IOException
{
    public ConnectionClosedException()
        : base("The MQTT connection is closed.")
    {
    }

    public ConnectionClosedException(string message)
        : base(message)
    {
    }

    public ConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
