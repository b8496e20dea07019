using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Client;

/// <summary>Sends PINGREQ when the client has been silent for the keep-alive period (any packet we send counts,
/// [MQTT-3.1.2-23]) and drops a connection whose broker stays silent for another period after a ping.</summary>
internal static class KeepAliveMonitor
{
    public static async Task RunAsync(ClientConnection connection, TimeSpan keepAlive, string endpoint, ILogger logger)
    {
        var period = (long)keepAlive.TotalMilliseconds;
        var token = connection.ClosingToken;
        try
        {
            while (true)
            {
                var idle = Environment.TickCount64 - connection.Writer.LastWriteTicks;
                if (idle < period)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(period - idle), token).ConfigureAwait(false);
                    continue;
                }

                var pingSentAt = Environment.TickCount64;
                await connection.Writer.WriteAsync(PingReqPacket.Instance, token).ConfigureAwait(false);
                await Task.Delay(keepAlive, token).ConfigureAwait(false);
                if (connection.LastReceivedTicks < pingSentAt)
                {
                    logger.LogWarning("No PINGRESP from MQTT broker {endpoint} within {keep_alive}; dropping the connection", endpoint, keepAlive);
                    connection.Close(new TimeoutException($"No PINGRESP from the MQTT broker at {endpoint} within {keepAlive}."));
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionClosedException)
        {
            // The connection ended; its owner deals with that.
        }
    }
}
