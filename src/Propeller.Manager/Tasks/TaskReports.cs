using Propeller.Core.Messaging;
using Propeller.Core.Tasks;
using Propeller.Manager.Metrics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>
/// What proplets say about the runs they were given: "running" moves Scheduled to Running; a result ends
/// the task. Each report must come from the proplet the task was placed on and belong to its current
/// attempt; duplicates, late reports and reports about older attempts change nothing.
/// </summary>
public sealed class TaskReports(
    ITaskStore store,
    StripedLock locks,
    PropletRegistry registry,
    TaskRecovery recovery,
    TimeProvider time,
    ILogger<TaskReports> logger)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task RunningAsync(RunningMessage running, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(running.TaskId, cancellationToken);
        var task = await store.GetAsync(running.TaskId, cancellationToken);
        if (task is not { State: TaskState.Scheduled } || !IsCurrent(task, running.PropletId, running.Attempt))
        {
            logger.LogDebug("Running report for task {task_id} from proplet {proplet_id} ignored (state {state})", running.TaskId, running.PropletId, task?.State);
            return;
        }

        task.Enter(TaskState.Running, Now, running.PropletId);
        await store.UpdateAsync(task, cancellationToken);
        logger.LogInformation("Task {task_id} running on proplet {proplet_id}", task.Id, running.PropletId);
    }

    public async Task ResultAsync(ResultMessage result, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(result.TaskId, cancellationToken);
        var task = await store.GetAsync(result.TaskId, cancellationToken);
        if (task is null)
        {
            logger.LogWarning("Result for unknown task {task_id} from proplet {proplet_id} ignored", result.TaskId, result.PropletId);
            return;
        }

        if (!task.State.IsActive() || !IsCurrent(task, result.PropletId, result.Attempt))
        {
            logger.LogDebug("Result for task {task_id} from proplet {proplet_id} (attempt {attempt}) ignored: the task is {state} on {assigned_proplet}, attempt {current}", task.Id, result.PropletId, result.Attempt, task.State, task.PropletId, task.Attempt);
            return;
        }

        if (result.Lost == true)
        {
            await recovery.LoseAsync(task, $"proplet {result.PropletId} lost the run: {result.Error}", cancellationToken);
            return;
        }

        recovery.Forget(task.Id);
        var failed = !string.IsNullOrEmpty(result.Error);
        task.Results = result.Results;
        task.Error = failed ? result.Error : null;
        task.PendingReason = null;
        task.FinishTime = Now;
        task.Enter(failed ? TaskState.Failed : TaskState.Completed, Now, result.PropletId);
        await store.UpdateAsync(task, cancellationToken);
        ManagerMetrics.TaskEnded(task);
        registry.TaskEnded(result.PropletId);
        logger.LogInformation("Task {task_id} {outcome} on proplet {proplet_id}", task.Id, failed ? "failed" : "completed", result.PropletId);
    }

    /// <summary>From the proplet the task is on, about its current attempt (upstream's proplets send no attempt).</summary>
    private static bool IsCurrent(PropellerTask task, string propletId, int? attempt) =>
        task.PropletId == propletId && (attempt is null || attempt == task.Attempt);
}
