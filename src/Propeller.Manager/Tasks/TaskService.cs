using Propeller.Core.Messaging;
using Propeller.Core.Tasks;
using Propeller.Manager.Messaging;
using Propeller.Manager.Metrics;
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
    StripedLock locks,
    TaskPlacer placer,
    TaskRecovery recovery,
    PropletRegistry registry,
    ControlMessages control,
    ManagerOptions options,
    TimeProvider time,
    ILogger<TaskService> logger)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<PropellerTask> CreateAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        TaskValidation.Validate(request, creating: true, options.MaxUploadBytes);
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
            MaxRetries = request.MaxRetries ?? 0,
            CreatedAt = Now,
        };
        task.Enter(TaskState.Pending, Now);
        await store.AddAsync(task, cancellationToken);
        logger.LogInformation("Task created {task_id} {task_name}", task.Id, task.Name);
        return task;
    }

    public async Task<PropellerTask> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) ?? throw NotFound(id);

    public Task<TaskPage> ListAsync(int offset, int limit, TaskState? state, CancellationToken cancellationToken) =>
        store.ListAsync(offset, limit, state, cancellationToken);

    public async Task<PropellerTask> UpdateAsync(Guid id, TaskRequest request, CancellationToken cancellationToken)
    {
        TaskValidation.Validate(request, creating: false, options.MaxUploadBytes);
        using var _ = await locks.AcquireAsync(id, cancellationToken);
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

        if (request.MaxRetries is { } maxRetries)
        {
            task.MaxRetries = maxRetries;
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

        using var _ = await locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is running; stop it before uploading a new module");
        }

        task.File = module;
        task.UpdatedAt = Now;
        await store.UpdateAsync(task, cancellationToken);
        logger.LogInformation("Module uploaded {task_id} ({bytes} bytes)", id, module.Length);
        return task;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(id, cancellationToken);
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
        using var _ = await locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        if (task.State.IsActive())
        {
            throw ApiError.Conflict($"task {id} is already running on proplet {task.PropletId}");
        }

        if (task.File is null && task.ImageUrl is null)
        {
            throw ApiError.BadRequest($"either file or image_url must be provided: upload the module first (curl -X PUT http://…/tasks/{id}/upload -F \"file=@module.wasm\")");
        }

        // A user's start begins a new series of retries; a finished task may run again, its previous outcome cleared.
        task.Retries = 0;
        if (task.State != TaskState.Pending)
        {
            task.Results = null;
            task.Error = null;
            task.FinishTime = default;
            task.StartTime = default;
            if (!task.Pinned)
            {
                task.PropletId = null;
            }
        }

        var reason = await placer.PlaceAsync(task, cancellationToken);
        if (reason is not null)
        {
            throw ApiError.Conflict($"task {id} is waiting: {reason}");
        }
    }

    public async Task StopAsync(Guid id, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(id, cancellationToken);
        var task = await GetAsync(id, cancellationToken);
        var waiting = task.State == TaskState.Pending && task.PendingReason is not null;
        if (!task.State.IsActive() && !waiting)
        {
            throw ApiError.Conflict($"task {id} is not running (state {task.State}); there is nothing to stop");
        }

        // A waiting task may keep the start_time of an attempt on a proplet that was lost: it is not running now.
        var wasPlaced = task.State.IsActive();
        if (wasPlaced && task.PropletId is not null)
        {
            await control.StopAsync(new StopMessage { Id = id, PropletId = task.PropletId }, cancellationToken);
            registry.TaskEnded(task.PropletId);
        }

        recovery.Forget(id);
        task.PendingReason = null;
        task.FinishTime = Now;
        task.Enter(TaskState.Interrupted, Now, task.PropletId, "stopped by a user");
        await store.UpdateAsync(task, cancellationToken);
        if (wasPlaced)
        {
            ManagerMetrics.TaskEnded(task);
        }

        logger.LogInformation("Task stopped {task_id}", id);
    }

    private static bool SameEnv(Dictionary<string, string>? current, Dictionary<string, string> requested) =>
        (current?.Count ?? 0) == requested.Count &&
        requested.All(kv => current is not null && current.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ApiError NotFound(Guid id) => ApiError.NotFound($"task {id} not found");
}
