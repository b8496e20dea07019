using System.Collections.Concurrent;
using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Core.Messaging;
using Propeller.Wasm;
using Propeller.Proplet.Metrics;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Runs the tasks addressed to this proplet, each on its own, and reports when each really starts and how
/// it ended. Each (task, attempt) runs once: a start delivered twice is ignored while the run goes on, and
/// answered with the kept result after it ended; a stop kills the run.
/// </summary>
public sealed class TaskRunner(
    IWasmRuntime runtime,
    ModuleSource modules,
    PropletOptions options,
    ILogger<TaskRunner> logger)
{
    private readonly ConcurrentDictionary<Guid, Run> _running = new();
    private readonly ConcurrentDictionary<Guid, byte> _unreported = new();
    private readonly FinishedRuns _finished = new();

    public int RunningCount => _running.Count;

    /// <summary>The tasks this proplet runs, or has finished without the broker acknowledging the result yet (heartbeats list them).</summary>
    public IReadOnlyList<Guid> Known => [.. _running.Keys.Union(_unreported.Keys)];

    /// <summary>Starts the task in the background, or answers a start it has seen before; <paramref name="reporter"/> publishes.</summary>
    public void Start(StartMessage start, RunReporter reporter, CancellationToken shutdown)
    {
        if (_running.TryGetValue(start.Id, out var current))
        {
            if (current.Attempt == start.Attempt)
            {
                logger.LogInformation("Task {task_id} (attempt {attempt}) already runs here; duplicate start ignored", start.Id, start.Attempt);
                return;
            }

            // The manager gave the old run up (it thought it lost) and placed the task again here: the new attempt wins.
            logger.LogWarning("Task {task_id}: attempt {attempt} replaces attempt {old} that still ran here", start.Id, start.Attempt, current.Attempt);
            current.Superseded = true;
            current.Stop.Cancel();
        }
        else if (start.Attempt > 0 && _finished.TryGet(start.Id, start.Attempt, out var kept))
        {
            logger.LogInformation("Task {task_id} (attempt {attempt}) already ended here; sending its result again", start.Id, start.Attempt);
            _ = ReportAsync(kept, reporter);
            return;
        }
        else if (start.Recover)
        {
            logger.LogWarning("The manager asks about task {task_id} (attempt {attempt}), which this proplet does not know: it ran on an earlier start of this proplet", start.Id, start.Attempt);
            _ = ReportAsync(
                new ResultMessage
                {
                    TaskId = start.Id,
                    PropletId = options.ClientId,
                    Attempt = start.Attempt,
                    Lost = true,
                    Error = "the proplet restarted while the task ran, so its run ended unfinished",
                },
                reporter);
            return;
        }

        var run = new Run(start.Attempt, CancellationTokenSource.CreateLinkedTokenSource(shutdown));
        _running[start.Id] = run;
        _ = Task.Run(() => RunAsync(start, run, reporter), CancellationToken.None);
    }

    public bool Stop(Guid taskId)
    {
        if (!_running.TryGetValue(taskId, out var run))
        {
            return false;
        }

        run.Stop.Cancel();
        return true;
    }

    private async Task RunAsync(StartMessage start, Run run, RunReporter reporter)
    {
        var stop = run.Stop;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PropletMetrics.RunStarted();
        logger.LogInformation("Executing task {task_id} {task_name} (attempt {attempt})", start.Id, start.Name, start.Attempt);
        ResultMessage? result = null;
        try
        {
            var (module, problem) = StartValidation.Problem(start) is { } malformed ? (null, malformed) : await modules.GetAsync(start, stop.Token);
            if (problem is null)
            {
                _ = reporter.Running(new RunningMessage { TaskId = start.Id, PropletId = options.ClientId, Attempt = start.Attempt });
            }

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
                Attempt = start.Attempt,
            };
            if (outcome.Succeeded)
            {
                logger.LogInformation("Task completed {task_id} exit_code={exit_code}", start.Id, outcome.ExitCode);
            }
            else
            {
                logger.LogWarning("Task failed {task_id} exit_code={exit_code}: {error}", start.Id, outcome.ExitCode, outcome.Error);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogInformation("Task {task_id} stopped before it ended", start.Id);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {task_id} could not run", start.Id);
            result = new ResultMessage { TaskId = start.Id, PropletId = options.ClientId, Attempt = start.Attempt, Error = $"the proplet could not run the task: {e.Message}" };
        }
        finally
        {
            // Kept before the run leaves the running set, so a start arriving in between finds one or the other.
            if (result is not null && !run.Superseded)
            {
                _finished.Add(start.Attempt, result);
                _unreported[start.Id] = 0;
            }

            _running.TryRemove(new KeyValuePair<Guid, Run>(start.Id, run));
            stop.Dispose();
            var outcome = result is null || run.Superseded ? "stopped" : result.Error is null ? "completed" : "failed";
            PropletMetrics.RunEnded(outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        if (result is not null && !run.Superseded)
        {
            await ReportAsync(result, reporter);
        }
    }

    /// <summary>Publishes a result; the task stays listed in heartbeats until the broker has acknowledged it.</summary>
    private async Task ReportAsync(ResultMessage result, RunReporter reporter)
    {
        _unreported[result.TaskId] = 0;
        try
        {
            await reporter.Result(result);
        }
        finally
        {
            if (!_running.ContainsKey(result.TaskId))
            {
                _unreported.TryRemove(result.TaskId, out _);
            }
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

    private sealed class Run(int attempt, CancellationTokenSource stop)
    {
        public int Attempt { get; } = attempt;

        public CancellationTokenSource Stop { get; } = stop;

        /// <summary>A newer attempt of the same task replaced this run: its end is not reported.</summary>
        public bool Superseded { get; set; }
    }
}

/// <summary>How a run's news leaves the proplet: "running" when it begins, the result when it ends (both MQTT QoS 1).</summary>
public sealed record RunReporter(Func<RunningMessage, Task> Running, Func<ResultMessage, Task> Result);
