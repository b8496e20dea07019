using System.Net.Sockets;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Client;

/// <summary>Opens a TCP connection, sends CONNECT and waits for an accepting CONNACK, all within ConnectTimeout.
/// Every failure becomes an <see cref="MqttConnectionException"/> whose message says which broker and why.</summary>
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
        ClientConnection? connection = null;
        var success = false;
        try
        {
            connection = await ClientConnection.OpenAsync(options.Host, options.Port, options.MaxPacketSize, onClosed, timeout.Token).ConfigureAwait(false);
            await connection.Writer.WriteAsync(BuildConnect(options), timeout.Token).ConfigureAwait(false);
            var reply = await connection.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (reply is not ConnAckPacket connAck)
            {
                throw new MqttConnectionException(reply is null
                    ? $"MQTT broker at {endpoint} closed the connection instead of answering CONNECT."
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
        catch (Exception ex) when (ex is IOException or MqttProtocolException)
        {
            throw new MqttConnectionException($"Connecting to MQTT broker at {endpoint} failed: {ex.Message}", ex);
        }
        finally
        {
            if (!success)
            {
                connection?.Close(null);
            }
        }
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
