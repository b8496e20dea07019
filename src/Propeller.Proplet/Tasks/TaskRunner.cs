using System.Collections.Concurrent;
using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Core.Messaging;
using Propeller.Wasm;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Runs the tasks addressed to this proplet, each on its own, and reports how each ended. A start
/// for a task that already runs here is a duplicate delivery and is ignored; a stop kills the run.
/// </summary>
public sealed class TaskRunner(
    IWasmRuntime runtime,
    ModuleSource modules,
    PropletOptions options,
    ILogger<TaskRunner> logger)
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public int RunningCount => _running.Count;

    /// <summary>Starts the task in the background; <paramref name="report"/> receives its result when it ends.</summary>
    public void Start(StartMessage start, Func<ResultMessage, Task> report, CancellationToken shutdown)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        if (!_running.TryAdd(start.Id, stop))
        {
            stop.Dispose();
            logger.LogInformation("Task {TaskId} already runs here; duplicate start ignored", start.Id);
            return;
        }

        _ = Task.Run(() => RunAsync(start, report, stop), CancellationToken.None);
    }

    public bool Stop(Guid taskId)
    {
        if (!_running.TryGetValue(taskId, out var stop))
        {
            return false;
        }

        stop.Cancel();
        return true;
    }

    private async Task RunAsync(StartMessage start, Func<ResultMessage, Task> report, CancellationTokenSource stop)
    {
        logger.LogInformation("Executing task {TaskId} {TaskName}", start.Id, start.Name);
        ResultMessage? result = null;
        try
        {
            var (module, problem) = await modules.GetAsync(start, stop.Token);
            var timeout = Duration.TryParse(start.Timeout, out var asked) && asked > TimeSpan.Zero ? asked : options.TaskTimeout;
            var outcome = problem is not null
                ? RunOutcome.Failure(problem)
                : await RunWithDeadlineAsync(
                    new RunRequest(
                        start.Id,
                        start.Name,
                        module!,
                        start.CliArgs ?? [],
                        [.. (start.Inputs ?? []).Select(InputText)],
                        start.Env ?? [],
                        timeout),
                    stop.Token);

            result = new ResultMessage
            {
                TaskId = start.Id,
                PropletId = options.ClientId,
                Results = outcome.Results ?? JsonSerializer.SerializeToElement(outcome.Output, Core.Json.PropellerJsonContext.Default.String),
                Error = outcome.Error,
                ExitCode = outcome.ExitCode,
            };
            if (outcome.Succeeded)
            {
                logger.LogInformation("Task completed {TaskId} exit_code={ExitCode}", start.Id, outcome.ExitCode);
            }
            else
            {
                logger.LogWarning("Task failed {TaskId} exit_code={ExitCode}: {Error}", start.Id, outcome.ExitCode, outcome.Error);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogInformation("Task {TaskId} stopped before it ended", start.Id);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {TaskId} could not run", start.Id);
            result = new ResultMessage { TaskId = start.Id, PropletId = options.ClientId, Error = $"the proplet could not run the task: {e.Message}" };
        }
        finally
        {
            _running.TryRemove(start.Id, out _);
            stop.Dispose();
        }

        if (result is not null)
        {
            await report(result);
        }
    }

    /// <summary>
    /// Runs the task and stops it at its deadline, whatever the runtime: the embedded engine stops the
    /// guest itself (inside loops too); for an external process the deadline's token kills it.
    /// </summary>
    private async Task<RunOutcome> RunWithDeadlineAsync(RunRequest request, CancellationToken stop)
    {
        using var deadline = new CancellationTokenSource(request.Timeout);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
        try
        {
            return await runtime.RunAsync(request, run.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            return RunOutcome.Failure(WasmDeadlineExceededException.Describe(request.Timeout));
        }
    }

    private static string InputText(JsonElement input) =>
        input.ValueKind == JsonValueKind.String ? input.GetString()! : input.GetRawText();
}
