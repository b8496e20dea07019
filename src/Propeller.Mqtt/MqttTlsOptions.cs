namespace Propeller.Mqtt;

/// <summary>How an <see cref="MqttClient"/> speaks TLS to its broker. The files are PEM and are read again at every
/// connect, so certificates renewed on disk are used from the next reconnect on. The broker's certificate must always
/// validate: there is deliberately no switch to skip the check (a self-signed broker certificate is its own CA: give
/// it as <see cref="CaCertificateFile"/>).</summary>
public sealed record MqttTlsOptions
{
    /// <summary>The CA certificate(s) that must have signed the broker's certificate; when set, the chain is checked
    /// against these only, not the machine's store. Null: the machine's trusted root CAs.</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>A client certificate for brokers that require one (mutual TLS); needs <see cref="ClientKeyFile"/>.
    /// Intermediate certificates following it in the file are sent along.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>The unencrypted private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; init; }
}
