namespace Propeller.Mqtt;

public static class MqttClientExtensions
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connects, retrying with doubling delays (200 ms up to 10 s) while the broker refuses or is
    /// unreachable, so a service can start before its broker. <paramref name="onRetry"/> hears each
    /// failure and the delay before the next try. Returns false when cancelled first.
    /// </summary>
    public static async Task<bool> ConnectWithRetryAsync(this IMqttClient client, Action<MqttConnectionException, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(onRetry);
        var delay = FirstDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
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

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }

        return false;
    }
}
