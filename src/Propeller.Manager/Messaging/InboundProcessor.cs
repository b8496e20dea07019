using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Core.Json;
using Propeller.Mqtt;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Messaging;

/// <summary>
/// Handles what proplets publish (create, alive, running, results), one message at a time in arrival order.
/// A malformed message is logged and dropped; it never stops the flow.
/// </summary>
public sealed class InboundProcessor(
    ManagerMqtt mqtt,
    PropletRegistry registry,
    TaskReports reports,
    TaskRecovery recovery,
    ILogger<InboundProcessor> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        mqtt.Handler = HandleSafelyAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task HandleSafelyAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(message, cancellationToken);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Malformed message on {topic} dropped: {reason}", message.Topic, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Message on {topic} could not be handled", message.Topic);
        }
    }

    private async Task HandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var topics = mqtt.Topics;
        var payload = message.Payload.Span;
        if (message.Topic == topics.PropletResults)
        {
            var result = JsonSerializer.Deserialize(payload, PropellerJsonContext.Default.ResultMessage);
            if (result is null || result.TaskId == Guid.Empty || string.IsNullOrEmpty(result.PropletId))
            {
                throw new JsonException("a result needs task_id and proplet_id");
            }

            await reports.ResultAsync(result, cancellationToken);
        }
        else if (message.Topic == topics.PropletRunning)
        {
            var running = JsonSerializer.Deserialize(payload, PropellerJsonContext.Default.RunningMessage);
            if (running is null || running.TaskId == Guid.Empty || string.IsNullOrEmpty(running.PropletId))
            {
                throw new JsonException("a running message needs task_id and proplet_id");
            }

            await reports.RunningAsync(running, cancellationToken);
        }
        else if (message.Topic == topics.PropletAlive)
        {
            var alive = JsonSerializer.Deserialize(payload, PropellerJsonContext.Default.AliveMessage);
            if (alive is null || string.IsNullOrEmpty(alive.PropletId))
            {
                throw new JsonException("an alive message needs proplet_id");
            }

            if (alive.Status == "offline")
            {
                registry.MarkOffline(alive.PropletId, "its connection to the broker dropped, or it said goodbye (offline)");
                logger.LogWarning("Proplet {proplet_id} went offline", alive.PropletId);
            }
            else
            {
                var known = registry.IsKnown(alive.PropletId);
                registry.Heartbeat(alive.PropletId, alive.LivelinessInterval);
                if (!known)
                {
                    // Heard before its announcement (the manager restarted behind an external broker): ask for it.
                    await mqtt.PublishDiscoverAsync(cancellationToken);
                }

                if (alive.Tasks is { } reported)
                {
                    var interval = Duration.TryParse(alive.LivelinessInterval, out var parsed) ? parsed : TimeSpan.FromSeconds(10);
                    await recovery.CheckReportedAsync(alive.PropletId, reported, interval, cancellationToken);
                }
            }
        }
        else if (message.Topic == topics.PropletCreate)
        {
            var create = JsonSerializer.Deserialize(payload, PropellerJsonContext.Default.CreateMessage);
            if (create is null || string.IsNullOrEmpty(create.PropletId))
            {
                throw new JsonException("a create message needs proplet_id");
            }

            registry.Announce(create.PropletId, create.Name, create.Metadata);
            logger.LogInformation("Proplet {proplet_id} announced itself ({runtime})", create.PropletId, create.Metadata?.WasmRuntime);
        }
        else
        {
            logger.LogDebug("Message on {topic} ignored", message.Topic);
        }
    }
}
