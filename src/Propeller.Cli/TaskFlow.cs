using System.Net;
using Propeller.Core.Tasks;
using Propeller.Sdk;

namespace Propeller.Cli;

/// <summary>The steps that several commands share: upload with progress, start (or queue), wait, report the end.</summary>
public static class TaskFlow
{
    /// <summary>Sends the module at <paramref name="path"/> (checked first) to the task.</summary>
    public static async Task<PropellerTask> UploadAsync(CliContext context, string id, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var length = LocalModule.Check(path);
        using var progress = new UploadProgress(context.Err, Path.GetFileName(path), length, context.StderrIsTerminal);
        return await context.Client.UploadAsync(id, path, progress, cancellationToken);
    }

    /// <summary>
    /// Starts the task. When no proplet can take it now the manager keeps it queued (409 and a
    /// pending_reason); with <paramref name="acceptQueued"/> that is reported on stderr and not an error.
    /// </summary>
    public static async Task StartAsync(CliContext context, string id, bool acceptQueued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await context.Client.StartTaskAsync(id, cancellationToken);
        }
        catch (PropellerApiException e) when (acceptQueued && e.StatusCode == HttpStatusCode.Conflict)
        {
            var task = await context.Client.GetTaskAsync(id, cancellationToken);
            if (task is not { State: TaskState.Pending, PendingReason: { Length: > 0 } })
            {
                throw;
            }
        }
    }

    /// <summary>
    /// Follows the task until it ends, telling on stderr why it waits while it does. The polls leave the
    /// module out; with --with-file the ended task is read once more, module included.
    /// </summary>
    public static async Task<PropellerTask> WaitAsync(CliContext context, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? lastReason = null;
        try
        {
            var ended = await context.Client.WaitForTaskAsync(id, PropellerClient.DefaultPollInterval, task =>
            {
                if (task is { State: TaskState.Pending, PendingReason: { Length: > 0 } reason } && reason != lastReason)
                {
                    context.Note($"task {task.Id} is queued: {reason}; waiting for it (Ctrl-C stops waiting, not the task)");
                }

                lastReason = task.PendingReason;
            }, cancellationToken);
            return context.Printer.WithFile ? await context.Client.GetTaskAsync(id, cancellationToken) : ended;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                $"stopped waiting for task {id}; the task itself goes on",
                ExitCodes.Cancelled,
                $"'{CliApplication.Name} tasks view {id}' shows how it is doing; '{CliApplication.Name} tasks stop {id}' stops it");
        }
    }

    /// <summary>
    /// Prints each state change of the task as the manager records it until the task ends; returns 0
    /// when it completed, otherwise says why on stderr and returns 1.
    /// </summary>
    public static async Task<int> WatchAsync(CliContext context, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        PropellerTask? last = null;
        try
        {
            await foreach (var transition in context.Client.WatchTaskAsync(id, PropellerClient.DefaultPollInterval, task => last = task, cancellationToken))
            {
                context.Printer.Transition(transition);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                $"stopped watching task {id}; the task itself goes on",
                ExitCodes.Cancelled,
                $"'{CliApplication.Name} tasks watch {id}' follows it again");
        }

        // The watch ends on the answer that showed the task ended: that answer says how.
        if (WhyNotCompleted(last!) is not { } why)
        {
            return ExitCodes.Success;
        }

        context.Note(why);
        return ExitCodes.Failure;
    }

    /// <summary>
    /// Prints a finished task: its results as the guest wrote them, or with -o given, the task itself.
    /// Returns 0 when it completed; otherwise says why on stderr and returns 1.
    /// </summary>
    public static int Report(CliContext context, PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(task);
        if (context.FormatGiven)
        {
            context.Printer.Task(task);
        }
        else
        {
            context.Printer.RawResults(task.Results);
        }

        var why = WhyNotCompleted(task);
        if (why is null)
        {
            return ExitCodes.Success;
        }

        context.Out.Flush();
        context.Note(why);
        return ExitCodes.Failure;
    }

    /// <summary>Null for a completed task, otherwise one sentence saying how it ended.</summary>
    private static string? WhyNotCompleted(PropellerTask task) => task.State switch
    {
        TaskState.Completed => null,
        TaskState.Failed => $"task {task.Id} failed: {(string.IsNullOrWhiteSpace(task.Error) ? "(the proplet gave no reason)" : task.Error.Trim())}",
        TaskState.Interrupted => $"task {task.Id} was interrupted (stopped before it finished)",
        _ => $"task {task.Id} ended {task.State}{(string.IsNullOrWhiteSpace(task.Error) ? "" : $": {task.Error.Trim()}")}",
    };
}
