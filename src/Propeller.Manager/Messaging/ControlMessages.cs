using Propeller.Core.Messaging;

namespace Propeller.Manager.Messaging;

/// <summary>
/// Start and stop messages with a deadline: a broker that does not acknowledge within MANAGER_MQTT_TIMEOUT
/// becomes a 503 that says so, instead of a request that hangs.
/// </summary>
public sealed class ControlMessages(IControlPublisher publisher, ManagerOptions options)
{
    public Task StartAsync(StartMessage message, CancellationToken cancellationToken) =>
        WithDeadlineAsync(ct => publisher.PublishStartAsync(message, ct), "start", cancellationToken);

    public Task StopAsync(StopMessage message, CancellationToken cancellationToken) =>
        WithDeadlineAsync(ct => publisher.PublishStopAsync(message, ct), "stop", cancellationToken);

    private async Task WithDeadlineAsync(Func<CancellationToken, Task> publish, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.MqttTimeout);
        try
        {
            await publish(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ApiError.Unavailable($"the MQTT broker did not acknowledge the {what} message within {options.MqttTimeout.TotalSeconds:0.#} s (MANAGER_MQTT_TIMEOUT); check that the broker is running");
        }
        catch (ArgumentException e) when (e.ParamName == "message" && e.Message.Contains("larger than MaxPacketSize", StringComparison.Ordinal))
        {
            // Modules are capped to fit (MANAGER_MAX_UPLOAD_MB); inputs, env and cli_args near their own caps can still overflow.
            throw ApiError.TooLarge($"the {what} message is larger than one MQTT message may be: {e.Message.Split(" (Parameter", 2)[0]} Send fewer or shorter inputs, env or cli_args.");
        }
    }
}
