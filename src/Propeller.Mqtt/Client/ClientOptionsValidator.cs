namespace Propeller.Mqtt.Client;

/// <summary>Rejects options that could only fail later, far from where they were written.</summary>
internal static class ClientOptionsValidator
{
    public static void Validate(MqttClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw new ArgumentException("MqttClientOptions.Host is required.", nameof(options));
        }

        if (options.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"MqttClientOptions.Port {options.Port} is not between 1 and 65535.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.ClientId);
        if (options.KeepAlive < TimeSpan.Zero || options.KeepAlive.TotalSeconds > ushort.MaxValue)
        {
            throw new ArgumentException($"MqttClientOptions.KeepAlive {options.KeepAlive} must be between 0 and 65535 seconds.", nameof(options));
        }

        if (options.Password is not null && options.Username is null)
        {
            throw new ArgumentException("MqttClientOptions.Password needs a Username: MQTT 3.1.1 cannot send a password alone.", nameof(options));
        }

        if (options.Will is { } will && !MqttTopics.IsValidTopicName(will.Topic))
        {
            throw new ArgumentException($"The will topic '{will.Topic}' is not a valid MQTT topic name.", nameof(options));
        }

        if (options.MaxPacketSize < 16)
        {
            throw new ArgumentException($"MqttClientOptions.MaxPacketSize {options.MaxPacketSize} is too small.", nameof(options));
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ReconnectMinDelay < TimeSpan.Zero || options.ReconnectMaxDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("MqttClientOptions.ConnectTimeout must be positive and the reconnect delays not negative.", nameof(options));
        }

        if (options.Tls is { } tls)
        {
            // Read now so a wrong path fails here rather than as endless reconnect attempts; every connect reads them again.
            try
            {
                TlsClientSession.Load(tls, options.Host).Dispose();
            }
            catch (InvalidDataException ex)
            {
                throw new ArgumentException($"MqttClientOptions.Tls: {ex.Message}", nameof(options), ex);
            }
        }
    }
}
