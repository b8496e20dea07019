using System.Diagnostics;
using System.Net;

namespace Propeller.Benchmarks;

/// <summary>
/// Clients creating, uploading and starting tasks back to back, with at most <c>window</c> tasks started and not yet
/// ended at any time. The manager always has work, but is never handed more than it finishes: handed everything at
/// once, its queue of proplets' messages grew until heartbeats waited behind results long enough for a healthy
/// proplet to count as lost. So the rate measured is one the manager sustains.
/// </summary>
public static class SustainedLoad
{
    private static readonly TimeSpan Stall = TimeSpan.FromMinutes(1);

    /// <summary>Runs <paramref name="tasks"/> tasks; ends when all have ended (Completed or Failed) or none has ended for a minute.</summary>
    public static async Task<LoadResult> RunAsync(TaskApi api, string json, byte[] module, int tasks, int clients, int window)
    {
        var completedBefore = await api.CountAsync("completed");
        var failedBefore = await api.CountAsync("failed");
        using var slots = new SemaphoreSlim(window);
        using var stalled = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var waiting = 0;
        string? waitReason = null;
        long lastAnswered = started;

        async Task ClientAsync()
        {
            while (Interlocked.Increment(ref next) < tasks)
            {
                await slots.WaitAsync(stalled.Token);
                try
                {
                    await api.RunAsync(json, module);
                }
                catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable)
                {
                    // The task waits for a proplet (409) or for the broker (503); the manager places it later by itself.
                    Interlocked.Increment(ref waiting);
                    waitReason ??= e.Message;
                }

                Interlocked.Exchange(ref lastAnswered, Stopwatch.GetTimestamp());
            }
        }

        var clientsDone = Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ClientAsync()));
        long completed = 0, failed = 0;
        var progressed = Stopwatch.GetTimestamp();
        while (completed + failed < tasks)
        {
            // Counting costs the manager two queries; every 25 ms keeps that small next to the work measured.
            await Task.Delay(25);
            var nowCompleted = await api.CountAsync("completed") - completedBefore;
            var nowFailed = await api.CountAsync("failed") - failedBefore;
            var ended = (int)(nowCompleted + nowFailed - completed - failed);
            if (ended > 0)
            {
                slots.Release(ended);
                progressed = Stopwatch.GetTimestamp();
                (completed, failed) = (nowCompleted, nowFailed);
            }
            else if (Stopwatch.GetElapsedTime(progressed) > Stall)
            {
                await stalled.CancelAsync();
                break;
            }
        }

        var took = Stopwatch.GetElapsedTime(started);
        try
        {
            await clientsDone;
        }
        catch (OperationCanceledException) when (stalled.IsCancellationRequested)
        {
            // Clients waiting for a slot that never came.
        }

        return new LoadResult(tasks, completed, failed, took, Stopwatch.GetElapsedTime(started, Interlocked.Read(ref lastAnswered)), waiting, waitReason);
    }
}

/// <param name="Took">From the first request until all had ended, or until the run gave up.</param>
/// <param name="LastAnswered">When the last start was answered.</param>
/// <param name="Waiting">Starts answered 409 or 503: the task waited (no proplet alive, or the broker did not take the start in time).</param>
public sealed record LoadResult(int Tasks, long Completed, long Failed, TimeSpan Took, TimeSpan LastAnswered, int Waiting, string? WaitReason)
{
    public bool AllCompleted => Completed == Tasks;

    public double PerSecond => Completed / Took.TotalSeconds;

    /// <summary>"812 tasks/s (3000 Completed in 3.7 s)", or what was reached when not all completed.</summary>
    public string Describe() => AllCompleted
        ? $"{PerSecond:0} tasks/s ({Tasks} Completed in {Took.TotalSeconds:0.0} s)"
        : $"not all Completed: {Completed} Completed and {Failed} Failed of {Tasks} after {Took.TotalSeconds:0} s";

    /// <summary>Waiting starts and failures, when there were any.</summary>
    public string Trouble() =>
        (Waiting > 0 ? $"{Waiting} starts answered 409/503, the task waited ({WaitReason}); " : "") +
        (Failed > 0 ? $"{Failed} tasks Failed (GET /tasks?state=failed says why); " : "");
}
