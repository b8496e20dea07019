using Propeller.Mqtt.Client;

namespace Propeller.Mqtt;

public static class MqttClientExtensions
{
    private static readonly ReconnectBackoff Backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    /// <summary>
    /// Connects, retrying with the client's own jittered doubling delays (200 ms up to 10 s) while the broker refuses or is
    /// unreachable, so a service can start before its broker. <paramref name="onRetry"/> hears each
    /// failure and the delay before the next try. Returns false when cancelled first.
    /// </summary>
    public static async Task<bool> ConnectWithRetryAsync(this IMqttClient client, Action<MqttConnectionException, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(onRetry);
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            var delay = Backoff.GetDelay(attempt);
            try
            {
                await client.ConnectAsync(cancellationToken);
                return true;
            }
            catch (MqttConnectionException e)
            {
                onRetry(e, delay);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }
}
