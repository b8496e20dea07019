using Propeller.Core.Messaging;
using Propeller.Core.Tasks;
using Propeller.Manager.Messaging;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>
/// The rules of a task's life: what may change when, where it runs, what its end looks like.
/// Every change is stored before it is acknowledged or announced, so nothing a user was told
/// about is lost when a process dies.
/// </summary>
public sealed class TaskService(
    ITaskStore store,
    PropletSelector selector,
    PropletRegistry registry,
    IControlPublisher publisher,
    ManagerOptions options,
    TimeProvider time,
    ILogger<TaskService> logger)
{
    private readonly StripedLock _locks = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<PropellerTask> CreateAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        TaskValidation.Validate(request, creating: true);
        var task = new PropellerTask
        {
            Id = Guid.NewGuid(),
            Name = request.Name!.Trim(),
            State = TaskState.Pending,
            ImageUrl = NullIfEmpty(request.ImageUrl),
            File = request.File,
            CliArgs = request.CliArgs,
            Inputs = request.Inputs,
            Env = request.Env,
            Daemon = request.Daemon ?? false,
            Timeout = TaskValidation.NormalizeTimeout(request.Timeout),
            Encrypted = request.Encrypted ?? false,
            PropletId = NullIfEmpty(request.PropletId),
            Pinned = !string.IsNullOrEmpty(request.PropletId),
            CreatedAt = Now,
        };
        await store.AddAsync(task, cancellationToken);
        logger.LogInformation("Task created {TaskId} {TaskName}", task.Id, task.Name);
        return task;
    }

    public async Task<PropellerTask> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) ?? throw NotFound(id);

    public Task<TaskPage> ListAsync(int offset, int limit, TaskState? state, CancellationToken cancellationToken) =>
        store.ListAsync(offset, limit, state, cancellationToken);

    public async Task<PropellerTask> UpdateAsync(Guid id, TaskRequest request, CancellationToken cancellationToken)
    {
        TaskValidation.Validate(request, creating: false);
        using var _ = await _locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is running; stop it first (POST /tasks/{id}/stop), then update it");
        }

        // Upstream silently ignores these on update; the seeds tell users they are fixed at creation. Say so.
        if (request.CliArgs is not null && !(task.CliArgs ?? []).SequenceEqual(request.CliArgs))
        {
            throw ApiError.BadRequest("cli_args are fixed when a task is created and cannot be changed by an update; create a new task with the cli_args you need");
        }

        if (request.Env is not null && !SameEnv(task.Env, request.Env))
        {
            throw ApiError.BadRequest("env is fixed when a task is created and cannot be changed by an update; create a new task with the env you need");
        }

        if (request.Name is not null)
        {
            task.Name = request.Name.Trim();
        }

        if (request.ImageUrl is not null)
        {
            task.ImageUrl = NullIfEmpty(request.ImageUrl);
        }

        if (request.File is not null)
        {
            task.File = request.File;
        }

        if (request.Inputs is not null)
        {
            task.Inputs = request.Inputs;
        }

        if (request.Daemon is not null)
        {
            task.Daemon = request.Daemon.Value;
        }

        if (request.Encrypted is not null)
        {
            task.Encrypted = request.Encrypted.Value;
        }

        if (TaskValidation.NormalizeTimeout(request.Timeout) is { } timeout)
        {
            task.Timeout = timeout;
        }

        if (request.PropletId is not null)
        {
            task.PropletId = NullIfEmpty(request.PropletId);
            task.Pinned = task.PropletId is not null;
        }

        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);
        return task;
    }

    public async Task<PropellerTask> UploadAsync(Guid id, byte[] module, CancellationToken cancellationToken)
    {
        if (WasmModule.Describe(module) is { } problem)
        {
            throw ApiError.BadRequest($"file: {problem}");
        }

        using var _ = await _locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is running; stop it before uploading a new module");
        }

        task.File = module;
        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);
        logger.LogInformation("Module uploaded {TaskId} ({Bytes} bytes)", id, module.Length);
        return task;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        using var _ = await _locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is running; stop it first (POST /tasks/{id}/stop)");
        }

        await store.DeleteAsync(id, cancellationToken);
    }

    /// <summary>
    /// Places the task on a proplet and tells it to run. When no proplet can take it, the task stays
    /// Pending with a reason and is placed as soon as one appears; the caller gets a 409 that says so.
    /// </summary>
    public async Task StartAsync(Guid id, CancellationToken cancellationToken)
    {
        using var _ = await _locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is already running on proplet {task.PropletId}");
        }

        if (task.File is null && task.ImageUrl is null)
        {
            throw ApiError.BadRequest($"either file or image_url must be provided: upload the module first (curl -X PUT http://…/tasks/{id}/upload -F \"file=@module.wasm\")");
        }

        if (task.State != TaskState.Pending)
        {
            // A finished task may run again; its previous outcome is cleared.
            task.Results = null;
            task.Error = null;
            task.FinishTime = default;
            task.StartTime = default;
            if (!task.Pinned)
            {
                task.PropletId = null;
            }
        }

        var reason = await PlaceAsync(task, cancellationToken);
        if (reason is not null)
        {
            throw ApiError.Conflict($"task {id} is waiting: {reason}");
        }
    }

    public async Task StopAsync(Guid id, CancellationToken cancellationToken)
    {
        using var _ = await _locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        var waiting = task.State == TaskState.Pending && task.PendingReason is not null;
        if (!task.State.IsActive() && !waiting)
        {
            throw ApiError.Conflict($"task {id} is not running (state {task.State}); there is nothing to stop");
        }

        if (task.State.IsActive() && task.PropletId is not null)
        {
            await PublishOrFailAsync(
                ct => publisher.PublishStopAsync(new StopMessage { Id = id, PropletId = task.PropletId }, ct),
                "stop",
                cancellationToken);
            registry.TaskEnded(task.PropletId);
        }

        task.State = TaskState.Interrupted;
        task.PendingReason = null;
        task.FinishTime = Now;
        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);
        logger.LogInformation("Task stopped {TaskId}", id);
    }

    /// <summary>A proplet reports how a task ended. Duplicates and late reports change nothing.</summary>
    public async Task HandleResultAsync(ResultMessage result, CancellationToken cancellationToken)
    {
        using var _ = await _locks.AcquireAsync(result.TaskId, cancellationToken);
        var task = await store.GetAsync(result.TaskId, cancellationToken);
        if (task is null)
        {
            logger.LogWarning("Result for unknown task {TaskId} from proplet {PropletId} ignored", result.TaskId, result.PropletId);
            return;
        }

        if (task.State.IsFinal())
        {
            logger.LogDebug("Result for finished task {TaskId} (state {State}) ignored", task.Id, task.State);
            return;
        }

        if (task.PropletId is not null && task.PropletId != result.PropletId)
        {
            logger.LogWarning("Result for task {TaskId} from proplet {PropletId} ignored: the task runs on {AssignedProplet}", task.Id, result.PropletId, task.PropletId);
            return;
        }

        var failed = !string.IsNullOrEmpty(result.Error);
        task.State = failed ? TaskState.Failed : TaskState.Completed;
        task.Results = result.Results;
        task.Error = failed ? result.Error : null;
        task.PendingReason = null;
        task.FinishTime = Now;
        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);
        registry.TaskEnded(result.PropletId);
        logger.LogInformation("Task {TaskId} {Outcome} on proplet {PropletId}", task.Id, failed ? "failed" : "completed", result.PropletId);
    }

    /// <summary>Tries again to place every task that waits for a proplet (called when one appears).</summary>
    public async Task PlaceWaitingAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.ListWaitingAsync(cancellationToken))
        {
            using var _ = await _locks.AcquireAsync(id, cancellationToken);
            var task = await store.GetAsync(id, cancellationToken);
            if (task is { State: TaskState.Pending, PendingReason: not null })
            {
                try
                {
                    await PlaceAsync(task, cancellationToken);
                }
                catch (ApiError e)
                {
                    logger.LogWarning("Waiting task {TaskId} could not be placed yet: {Reason}", id, e.Message);
                }
            }
        }
    }

    /// <summary>Returns null when the task was sent to a proplet, or the reason it waits.</summary>
    private async Task<string?> PlaceAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        var placement = selector.Choose(task);
        if (placement.PropletId is null)
        {
            task.State = TaskState.Pending;
            task.PendingReason = placement.WaitReason;
            task.UpdatedAt = Now;
            await store.UpdateAsync(task, cancellationToken);
            logger.LogInformation("Task {TaskId} waits: {Reason}", task.Id, placement.WaitReason);
            return placement.WaitReason;
        }

        var propletId = placement.PropletId;
        task.PropletId = propletId;
        task.State = TaskState.Running;
        task.PendingReason = null;
        task.StartTime = Now;
        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);

        var start = new StartMessage
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
            PropletId = propletId,
        };
        try
        {
            await PublishOrFailAsync(ct => publisher.PublishStartAsync(start, ct), "start", cancellationToken);
        }
        catch (ApiError)
        {
            task.State = TaskState.Pending;
            task.PendingReason = "the MQTT broker did not accept the start message; the task is placed again when a proplet reports in";
            task.StartTime = default;
            task.UpdatedAt = Now;
            await store.UpdateAsync(task, CancellationToken.None);
            throw;
        }

        registry.TaskPlaced(propletId);
        logger.LogInformation("Task {TaskId} started on proplet {PropletId}", task.Id, propletId);
        return null;
    }

    private async Task PublishOrFailAsync(Func<CancellationToken, Task> publish, string what, CancellationToken cancellationToken)
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
    }

    private static bool SameEnv(Dictionary<string, string>? current, Dictionary<string, string> requested) =>
        (current?.Count ?? 0) == requested.Count &&
        requested.All(kv => current is not null && current.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ApiError NotFound(Guid id) => ApiError.NotFound($"task {id} not found");
}
