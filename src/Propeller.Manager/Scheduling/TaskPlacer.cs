using Propeller.Core.Configuration;
using Propeller.Core.Messaging;
using Propeller.Core.Tasks;
using Propeller.Manager.Messaging;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Puts tasks on proplets: chooses one, stores the task as Scheduled with a new attempt number, then
/// publishes the start. A task no proplet can take waits in Pending with the reason, is placed when one
/// can, and fails after MANAGER_PENDING_TIMEOUT saying what was missing.
/// </summary>
public sealed class TaskPlacer(
    ITaskStore store,
    StripedLock locks,
    PropletSelector selector,
    PropletRegistry registry,
    ControlMessages control,
    ManagerOptions options,
    TimeProvider time,
    ILogger<TaskPlacer> logger)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Returns null when the task was sent to a proplet, or the reason it waits. The caller holds the
    /// task's lock. Throws <see cref="ApiError"/> (503) when the broker does not take the start; the task
    /// then waits and is placed again by the next sweep.
    /// </summary>
    public async Task<string?> PlaceAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        var placement = selector.Choose(task);
        if (placement.PropletId is null)
        {
            await WaitAsync(task, placement.WaitReason!, cancellationToken);
            return placement.WaitReason;
        }

        var propletId = placement.PropletId;
        task.Attempt++;
        task.PropletId = propletId;
        task.PendingReason = null;
        task.StartTime = Now;
        task.Enter(TaskState.Scheduled, Now, propletId, task.Retries > 0 ? $"retry {task.Retries} of {task.MaxRetries}" : null);
        await store.UpdateAsync(task, cancellationToken);

        try
        {
            await control.StartAsync(StartMessageFor(task, recover: false), cancellationToken);
        }
        catch (ApiError)
        {
            // The attempt number stays used: if the start did get through, that run's result is told apart from the next one's.
            task.StartTime = default;
            if (!task.Pinned)
            {
                task.PropletId = null;
            }

            await WaitAsync(task, "the MQTT broker did not accept the start message; the task is placed again when the broker answers", CancellationToken.None);
            throw;
        }

        registry.TaskPlaced(propletId);
        logger.LogInformation("Task {task_id} scheduled on proplet {proplet_id} (attempt {attempt})", task.Id, propletId, task.Attempt);
        return null;
    }

    /// <summary>Tries again to place every task that waits for a proplet; fails those that waited longer than MANAGER_PENDING_TIMEOUT.</summary>
    public async Task PlaceWaitingAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.ListWaitingAsync(cancellationToken))
        {
            using var _ = await locks.AcquireAsync(id, cancellationToken);
            var task = await store.GetAsync(id, cancellationToken);
            if (task is not { State: TaskState.Pending, PendingReason: not null })
            {
                continue;
            }

            try
            {
                var reason = await PlaceAsync(task, cancellationToken);
                if (reason is not null && Now - task.WaitingSince() >= options.PendingTimeout)
                {
                    await GiveUpAsync(task, reason, cancellationToken);
                }
            }
            catch (ApiError e)
            {
                logger.LogWarning("Waiting task {task_id} could not be placed yet: {reason}", id, e.Message);
            }
        }
    }

    /// <summary>The start message for the task's current attempt; <paramref name="recover"/> asks the proplet about a run it confirmed.</summary>
    public static StartMessage StartMessageFor(PropellerTask task, bool recover) => new()
    {
        Id = task.Id,
        Name = task.Name,
        File = task.File,
        ImageUrl = task.ImageUrl,
        Inputs = task.Inputs,
        CliArgs = task.CliArgs,
        Env = task.Env,
        Daemon = task.Daemon,
        Timeout = task.Timeout,
        PropletId = task.PropletId!,
        Attempt = task.Attempt,
        Recover = recover,
    };

    /// <summary>Marks the task waiting; a new step in its history only when it starts waiting, not each time the reason is refreshed.</summary>
    private async Task WaitAsync(PropellerTask task, string reason, CancellationToken cancellationToken)
    {
        var alreadyWaiting = task.State == TaskState.Pending && task.PendingReason is not null;
        if (alreadyWaiting && task.PendingReason == reason)
        {
            return;
        }

        task.PendingReason = reason;
        if (alreadyWaiting)
        {
            task.UpdatedAt = Now;
        }
        else
        {
            task.Enter(TaskState.Pending, Now, reason: reason);
            logger.LogInformation("Task {task_id} waits: {reason}", task.Id, reason);
        }

        await store.UpdateAsync(task, cancellationToken);
    }

    private async Task GiveUpAsync(PropellerTask task, string reason, CancellationToken cancellationToken)
    {
        task.Error = $"no proplet could run the task within {Duration.Format(options.PendingTimeout)} (MANAGER_PENDING_TIMEOUT): {reason}";
        task.PendingReason = null;
        task.FinishTime = Now;
        task.Enter(TaskState.Failed, Now, reason: task.Error);
        await store.UpdateAsync(task, cancellationToken);
        logger.LogWarning("Task {task_id} failed: {error}", task.Id, task.Error);
    }
}
