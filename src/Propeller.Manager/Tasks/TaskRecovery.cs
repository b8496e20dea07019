using System.Collections.Concurrent;
using Propeller.Core.Tasks;
using Propeller.Manager.Messaging;
using Propeller.Manager.Metrics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>
/// Keeps what the store says runs where in step with the proplets: a task whose proplet is lost fails with
/// "proplet … lost" or is placed again (max_retries); a task its proplet does not report is asked about
/// again (a start that never arrived is re-sent, a result the broker lost is sent again by the proplet).
/// </summary>
public sealed class TaskRecovery(
    ITaskStore store,
    StripedLock locks,
    PropletRegistry registry,
    TaskPlacer placer,
    ControlMessages control,
    ManagerOptions options,
    TimeProvider time,
    ILogger<TaskRecovery> logger)
{
    /// <summary>How often the manager asks a proplet about a task it does not report before counting the run lost.</summary>
    private const int MaxInquiries = 3;

    private static readonly TimeSpan MinGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Guid, Inquiry> _inquiries = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// One pass over the placed tasks: task counts from the store, and the tasks of proplets that are no
    /// longer alive handled as lost. Nobody is judged while the manager cannot hear the broker, and proplets
    /// it has not heard from yet get one alive timeout after the manager (re)connects to report in.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var active = await store.ListActiveAsync(cancellationToken);
        registry.SyncTaskCounts(active.Where(t => t.PropletId is not null).GroupBy(t => t.PropletId!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        var listening = registry.ListeningFor;
        if (listening == TimeSpan.Zero)
        {
            return;
        }

        var justStarted = listening < options.PropletAliveTimeout;
        foreach (var placed in active)
        {
            if (placed.PropletId is not { } propletId || registry.WhyNotAlive(propletId) is not { } why)
            {
                continue;
            }

            if (justStarted && !registry.IsKnown(propletId))
            {
                continue;
            }

            await LoseIfStillOnAsync(placed.Id, propletId, attempt: placed.Attempt, $"proplet {propletId} lost: {why}", cancellationToken);
        }
    }

    /// <summary>
    /// A proplet's heartbeat listed the tasks it runs. Each task placed there that it did not list, and that
    /// has been in its state longer than two heartbeats, is asked about again; after <see cref="MaxInquiries"/>
    /// unanswered asks its run counts as lost.
    /// </summary>
    public async Task CheckReportedAsync(string propletId, IReadOnlyCollection<Guid> reported, TimeSpan interval, CancellationToken cancellationToken)
    {
        var grace = interval * 2 > MinGrace ? interval * 2 : MinGrace;
        var now = Now;
        var missing = (await store.ListActiveOnAsync(propletId, cancellationToken))
            .Where(t => !reported.Contains(t.Id) && now - t.InStateSince() >= grace)
            .ToList();
        foreach (var placed in missing)
        {
            var inquiry = _inquiries.GetValueOrDefault(placed.Id);
            if (inquiry is not null && (inquiry.Attempt != placed.Attempt || now - inquiry.At < grace))
            {
                continue;
            }

            var asks = (inquiry?.Count ?? 0) + 1;
            if (asks > MaxInquiries)
            {
                await LoseIfStillOnAsync(placed.Id, propletId, placed.Attempt, $"proplet {propletId} lost: it stopped reporting the task and did not answer {MaxInquiries} requests about it", cancellationToken);
                continue;
            }

            _inquiries[placed.Id] = new Inquiry(placed.Attempt, now, asks);
            await AskAgainAsync(placed.Id, propletId, placed.Attempt, cancellationToken);
        }
    }

    /// <summary>
    /// The run is lost (its proplet died or restarted). The caller holds the task's lock. With retries left
    /// the task is placed again; otherwise it fails with <paramref name="reason"/> ("proplet … lost: …").
    /// </summary>
    public async Task LoseAsync(PropellerTask task, string reason, CancellationToken cancellationToken)
    {
        _inquiries.TryRemove(task.Id, out _);
        var propletId = task.PropletId;
        var wasActive = task.State.IsActive();
        if (task.Retries < task.MaxRetries)
        {
            task.Retries++;
            task.PendingReason = $"{reason}; placing it again (retry {task.Retries} of {task.MaxRetries})";
            task.Enter(TaskState.Pending, Now, propletId, reason);
            if (!task.Pinned)
            {
                task.PropletId = null;
            }

            await store.UpdateAsync(task, cancellationToken);
            EndOn(propletId, wasActive);
            logger.LogWarning("Task {task_id}: {reason}; placing it again (retry {retry} of {max_retries})", task.Id, reason, task.Retries, task.MaxRetries);
            try
            {
                var full = await store.GetAsync(task.Id, cancellationToken) ?? task;
                await placer.PlaceAsync(full, cancellationToken);
            }
            catch (ApiError e)
            {
                logger.LogWarning("Task {task_id} waits to be placed again: {reason}", task.Id, e.Message);
            }

            return;
        }

        task.Error = task.MaxRetries == 0
            ? $"{reason}. The run is lost; set max_retries (e.g. 2) for Propeller to place such a task again by itself"
            : $"{reason}. The task was placed {task.Retries + 1} times, and max_retries is {task.MaxRetries}";
        task.PendingReason = null;
        task.FinishTime = Now;
        task.Enter(TaskState.Failed, Now, propletId, reason);
        await store.UpdateAsync(task, cancellationToken);
        ManagerMetrics.TaskEnded(task);
        EndOn(propletId, wasActive);
        logger.LogWarning("Task {task_id} failed: {error}", task.Id, task.Error);
    }

    /// <summary>Forgets what was asked about a task that ended or was stopped.</summary>
    public void Forget(Guid taskId) => _inquiries.TryRemove(taskId, out _);

    private async Task LoseIfStillOnAsync(Guid id, string propletId, int attempt, string reason, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(id, cancellationToken);
        var task = await store.GetAsync(id, cancellationToken);
        if (task is not null && task.State.IsActive() && task.PropletId == propletId && task.Attempt == attempt)
        {
            await LoseAsync(task, reason, cancellationToken);
        }
    }

    /// <summary>Sends the start of the current attempt again: plain for a Scheduled task (the start may never have arrived), as a recovery for a Running one.</summary>
    private async Task AskAgainAsync(Guid id, string propletId, int attempt, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(id, cancellationToken);
        var task = await store.GetAsync(id, cancellationToken);
        if (task is null || !task.State.IsActive() || task.PropletId != propletId || task.Attempt != attempt)
        {
            return;
        }

        var recover = task.State == TaskState.Running;
        logger.LogInformation("Proplet {proplet_id} does not report task {task_id} ({state}); sending its start again{recover}", propletId, id, task.State, recover ? " as a recovery" : "");
        try
        {
            await control.StartAsync(TaskPlacer.StartMessageFor(task, recover), cancellationToken);
        }
        catch (ApiError e)
        {
            logger.LogWarning("Asking proplet {proplet_id} about task {task_id} failed: {reason}", propletId, id, e.Message);
        }
    }

    private void EndOn(string? propletId, bool wasActive)
    {
        if (wasActive && propletId is not null)
        {
            registry.TaskEnded(propletId);
        }
    }

    private sealed record Inquiry(int Attempt, DateTime At, int Count);
}
