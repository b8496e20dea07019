using System.Net.Sockets;
using System.Security.Authentication;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Client;

/// <summary>Opens a TCP connection (and TLS over it when asked), sends CONNECT and waits for an accepting CONNACK, all
/// within ConnectTimeout. Every failure becomes an <see cref="MqttConnectionException"/> whose message says which broker
/// and why.</summary>
internal static class ClientHandshake
{
    public static async Task<(ClientConnection Connection, bool SessionPresent)> ConnectAsync(
        MqttClientOptions options,
        Action<ClientConnection> onClosed,
        CancellationToken cancellationToken)
    {
        var endpoint = $"{options.Host}:{options.Port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        TlsClientSession? tls = null;
        ClientConnection? connection = null;
        var success = false;
        try
        {
            tls = options.Tls is { } tlsOptions ? LoadTls(tlsOptions, options.Host, endpoint) : null;
            connection = await ClientConnection.OpenAsync(options.Host, options.Port, tls, options.MaxPacketSize, onClosed, timeout.Token).ConfigureAwait(false);
            await connection.Writer.WriteAsync(BuildConnect(options), timeout.Token).ConfigureAwait(false);
            var reply = await connection.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (reply is not ConnAckPacket connAck)
            {
                throw new MqttConnectionException(reply is null
                    ? $"MQTT broker at {endpoint} closed the connection instead of answering CONNECT{WhyClosedHint(tls)}."
                    : $"MQTT broker at {endpoint} answered CONNECT with {reply.Type} instead of CONNACK.");
            }

            if (connAck.ReturnCode != (byte)ConnectReturnCode.Accepted)
            {
                throw new MqttConnectionException(
                    $"MQTT broker at {endpoint} refused the connection of client '{options.ClientId}': return code {ConnectReturnCodeText.Describe(connAck.ReturnCode)}.",
                    connAck.ReturnCode);
            }

            success = true;
            return (connection, connAck.SessionPresent);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MqttConnectionException($"Connecting to MQTT broker at {endpoint} timed out after {options.ConnectTimeout.TotalSeconds:0.###} s.", ex);
        }
        catch (SocketException ex)
        {
            throw new MqttConnectionException($"Could not connect to MQTT broker at {endpoint}: {ex.Message}.", ex);
        }
        catch (Exception ex) when (ex is AuthenticationException || (ex is IOException && tls is not null && connection is null))
        {
            // The TLS handshake failed. Our own check of the broker's certificate knows why; otherwise the other side ended it.
            throw new MqttConnectionException(
                $"TLS connection to MQTT broker at {endpoint} failed: {tls?.Rejection ?? $"{Innermost(ex).Message}{HandshakeHint(tls)}"}",
                ex);
        }
        catch (Exception ex) when (ex is IOException or MqttProtocolException)
        {
            throw new MqttConnectionException($"Connecting to MQTT broker at {endpoint} failed: {ex.Message}{WhyClosedHint(tls)}", ex);
        }
        finally
        {
            if (!success)
            {
                if (connection is null)
                {
                    tls?.Dispose();
                }

                connection?.Close(null);
            }
        }
    }

    private static TlsClientSession LoadTls(MqttTlsOptions tls, string host, string endpoint)
    {
        try
        {
            return TlsClientSession.Load(tls, host);
        }
        catch (InvalidDataException ex)
        {
            throw new MqttConnectionException($"Cannot connect to MQTT broker at {endpoint} over TLS: {ex.Message}", ex);
        }
    }

    /// <summary>What usually makes a broker end the connection before CONNACK, when the protocols or a client
    /// certificate do not match (with TLS 1.3 the broker checks the client certificate after our side of the handshake
    /// is done, so its refusal shows up here).</summary>
    private static string WhyClosedHint(TlsClientSession? tls) => tls switch
    {
        null => " (if that port is a TLS listener, use an ssl:// address)",
        { HasClientCertificate: false } => " (if the broker requires client certificates, give a client certificate and key)",
        _ => " (the broker may have refused the client certificate: check that a CA it trusts signed it)",
    };

    private static string HandshakeHint(TlsClientSession? tls) => tls is { HasClientCertificate: true }
        ? "; the broker may have refused the client certificate: check that a CA it trusts signed it; if that port speaks plain MQTT, use a tcp:// address"
        : "; if the broker requires client certificates, give a client certificate and key; if that port speaks plain MQTT, use a tcp:// address";

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static ConnectPacket BuildConnect(MqttClientOptions options) => new(
        options.ClientId,
        options.CleanSession,

        // The wire carries whole seconds; rounding up keeps the broker's allowance at least what we ping by.
        (ushort)Math.Ceiling(options.KeepAlive.TotalSeconds),
        options.Username,
        options.Password,
        options.Will);
}
