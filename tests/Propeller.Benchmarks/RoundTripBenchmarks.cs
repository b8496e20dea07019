using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// A task's round trip through the real stack: a manager process (REST, SQLite, embedded broker) and proplet
/// processes, driven over HTTP as a user's client does: create + upload + start, then poll until the result
/// is visible. Latency one task at a time; throughput with many clients at once; where the time goes from
/// the client's clock and from the task's own transitions (stamped by the manager).
/// </summary>
public static class RoundTripBenchmarks
{
    private const string TaskJson = """{"name": "hello"}""";

    /// <summary>Processes log as a user's would (Information); the benchmark reads their output as a terminal would.</summary>
    private static readonly Dictionary<string, string?> ManagerLogs = new() { ["MANAGER_LOG_LEVEL"] = "info" };

    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        var module = Repository.Guest("hello");
        using var directory = new TempDirectory("bench-roundtrip");
        var embedded = new Runtime(
            "embedded", External: null, new() { ["PROPLET_RUNTIME"] = "embedded", ["PROPLET_LOG_LEVEL"] = "info" },
            Warmups: settings.Pick(30, 100), Sequential: settings.Pick(100, 500), Clients: settings.Pick(16, 32), Sustained: settings.Pick(300, 3000));
        var host = new Runtime(
            "host (propeller-wasm)", Repository.Executable("propeller-wasm"), new() { ["PROPLET_RUNTIME"] = "host", ["PROPLET_LOG_LEVEL"] = "info" },
            Warmups: 0, Sequential: settings.Pick(3, 20), Clients: 8, Sustained: settings.Pick(8, 60));
        foreach (var runtime in new[] { embedded, host })
        {
            await MeasureRuntimeAsync(report, directory, module, runtime);
        }
    }

    /// <summary>One manager per runtime; proplets join it 1, then 2, then 4 (the first ones stay, with their module cached).</summary>
    private static async Task MeasureRuntimeAsync(Report report, TempDirectory directory, byte[] module, Runtime runtime)
    {
        await using var manager = await ManagerProcess.StartAsync(directory, extraEnvironment: ManagerLogs);
        var proplets = new List<ChildProcess>();
        try
        {
            foreach (var count in new[] { 1, 2, 4 })
            {
                var joining = Enumerable.Range(proplets.Count, count - proplets.Count).Select(i => $"bench-proplet-{i}").ToList();
                foreach (var id in joining)
                {
                    proplets.Add(PropletProcess.Start(manager.MqttAddress, manager.DomainId, manager.ChannelId, id, runtime.External, runtime.Environment));
                }

                await Task.WhenAll(joining.Select(id => manager.WaitForAlivePropletAsync(id, TimeSpan.FromSeconds(60))));
                await MeasurePropletsAsync(report, manager, proplets, module, runtime);
            }
        }
        finally
        {
            foreach (var proplet in proplets)
            {
                await proplet.DisposeAsync();
            }
        }
    }

    private static async Task MeasurePropletsAsync(Report report, ManagerProcess manager, List<ChildProcess> proplets, byte[] module, Runtime runtime)
    {
        var count = proplets.Count;
        var api = new TaskApi(manager.Http);
        var label = $"{runtime.Name}, {count} proplet{(count > 1 ? "s" : "")}";

        // Every proplet gets the module a few times first (placement spreads tasks), so the embedded engine has
        // it compiled and cached, and the JIT has compiled the hot paths of every process with full optimization.
        for (var i = 0; i < Math.Max(runtime.Warmups, 2 * count); i++)
        {
            await RoundTripAsync(api, module);
        }

        var trips = new List<Trip>();
        for (var i = 0; i < runtime.Sequential; i++)
        {
            trips.Add(await RoundTripAsync(api, module));
        }

        var total = new Distribution(trips.Select(t => t.Total));
        var goal = runtime.External is null && count == 1 ? Goal(total.Median <= 5, "p50 ≤ 5 ms with a cached module") : "";
        report.Add($"round trip, {label}: create + upload + start → Completed seen, one task at a time", total.Describe(), goal);
        if (count == 1)
        {
            report.Add($"where a round trip's time goes, {runtime.Name} (medians)", Breakdown(trips));
        }

        await SustainedAsync(report, manager, proplets, api, module, runtime, label);
    }

    /// <summary>Many clients create, upload and start tasks back to back (<see cref="SustainedLoad"/>); the rate is tasks over the time until all are Completed. A fifth as many go first, unmeasured.</summary>
    private static async Task SustainedAsync(Report report, ManagerProcess manager, List<ChildProcess> proplets, TaskApi api, byte[] module, Runtime runtime, string label)
    {
        if (runtime.Warmups > 0)
        {
            // Concurrent paths (many requests, batched MQTT writes) warm up too before they are measured.
            await SustainedLoad.RunAsync(api, TaskJson, module, runtime.Sustained / 5, runtime.Clients, runtime.Clients * 2);
        }

        var managerCpu = new CpuMeter(manager.Process.Id);
        var propletCpu = new CpuMeter(proplets.Select(p => p.Id));
        var clientCpu = new CpuMeter(Environment.ProcessId);
        var load = await SustainedLoad.RunAsync(api, TaskJson, module, runtime.Sustained, runtime.Clients, runtime.Clients * 2);
        var goal = runtime.External is null && proplets.Count == 1 ? $"{Goal(load.AllCompleted && load.PerSecond >= 500, "≥ 500 tasks/s with one proplet")}; " : "";
        string PerTask(CpuMeter meter)
        {
            var cores = meter.CoresUsed();
            return $"{cores:0.00} cores, {Timing.Format(cores * load.Took.TotalMilliseconds / Math.Max(1, load.Completed))} CPU a task";
        }

        report.Add(
            $"sustained, {label}: {runtime.Clients} clients, at most {runtime.Clients * 2} tasks unfinished",
            load.Describe(),
            $"{goal}{load.Trouble()}manager {PerTask(managerCpu)}; proplet(s) {PerTask(propletCpu)}; clients {PerTask(clientCpu)}");
        if (proplets.Count == 1 && runtime.External is null)
        {
            report.Add($"where a sustained task's time goes, {runtime.Name}, 1 proplet (manager's transition stamps)", await StampsAsync(api, (int)Math.Min(load.Completed, 1000)));
        }
    }

    /// <summary>
    /// Spans between the transitions the manager stamped on the last tasks that completed, and how many took 150 ms or
    /// more in all: Microsoft.Data.Sqlite answers a database another connection is writing by sleeping 150 ms and trying again.
    /// </summary>
    private static async Task<string> StampsAsync(TaskApi api, int count)
    {
        var spans = (await api.LastAsync("completed", count)).Select(task =>
        {
            var at = task.GetProperty("transitions").EnumerateArray().ToLookup(
                t => t.GetProperty("state").GetInt32(),
                t => DateTime.Parse(t.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            var created = at[0].First();
            var scheduled = at[1].Last();
            var running = at[2].Any() ? at[2].Last() : scheduled;
            var completed = at[3].Last();
            return (Total: (completed - created).TotalMilliseconds, ToScheduled: (scheduled - created).TotalMilliseconds,
                ToRunning: (running - scheduled).TotalMilliseconds, ToCompleted: (completed - running).TotalMilliseconds);
        }).ToList();
        if (spans.Count == 0)
        {
            return "no task completed";
        }

        string Of(Func<(double Total, double ToScheduled, double ToRunning, double ToCompleted), double> span)
        {
            var distribution = new Distribution(spans.Select(span));
            return $"p50 {Timing.Format(distribution.Median)}, p99 {Timing.Format(distribution.Percentile(99))}";
        }

        var slow = spans.Count(s => s.Total >= 150);
        return $"last {spans.Count} tasks: created → Completed {Of(s => s.Total)}; created → Scheduled (upload, start) {Of(s => s.ToScheduled)}; " +
            $"Scheduled → Running {Of(s => s.ToRunning)}; Running → Completed {Of(s => s.ToCompleted)}; {slow} ({100.0 * slow / spans.Count:0}%) took 150 ms or more";
    }

    private static async Task<Trip> RoundTripAsync(TaskApi api, byte[] module)
    {
        var t0 = Stopwatch.GetTimestamp();
        var id = await api.CreateAsync(TaskJson);
        var t1 = Stopwatch.GetTimestamp();
        await api.UploadAsync(id, module);
        var t2 = Stopwatch.GetTimestamp();
        var startSent = DateTime.UtcNow;
        await api.StartAsync(id);
        var t3 = Stopwatch.GetTimestamp();
        var task = await WaitForEndAsync(api, id, t3);
        var seen = DateTime.UtcNow;
        var t4 = Stopwatch.GetTimestamp();

        var at = task.GetProperty("transitions").EnumerateArray().ToLookup(
            t => t.GetProperty("state").GetInt32(),
            t => DateTime.Parse(t.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        DateTime? Stamp(int state) => at[state].Any() ? at[state].Last() : null;
        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        var scheduled = Stamp(1);
        var running = Stamp(2);
        var completed = Stamp(3)!.Value;
        return new Trip(
            Ms(t0, t4), Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t3, t4),
            (scheduled - startSent)?.TotalMilliseconds,
            (running - scheduled)?.TotalMilliseconds,
            (completed - (running ?? scheduled))?.TotalMilliseconds,
            (seen - completed).TotalMilliseconds);
    }

    /// <summary>Polls the task until it ends: back to back at first (a round trip is milliseconds), then every millisecond or so.</summary>
    private static async Task<JsonElement> WaitForEndAsync(TaskApi api, string id, long since)
    {
        while (true)
        {
            var task = await api.GetAsync(id);
            switch (task.GetProperty("state").GetInt32())
            {
                case 3:
                    return task;
                case 4 or 5 or 6:
                    throw new InvalidOperationException($"task {id} ended without completing: {task}");
            }

            var waited = Stopwatch.GetElapsedTime(since);
            if (waited > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"task {id} did not complete within a minute: {task}");
            }

            if (waited > TimeSpan.FromMilliseconds(20))
            {
                await Task.Delay(1);
            }
        }
    }

    private static string Breakdown(List<Trip> trips)
    {
        string Median(Func<Trip, double?> phase)
        {
            var values = trips.Select(phase).OfType<double>().ToList();
            return values.Count == 0 ? "–" : Timing.Format(new Distribution(values).Median);
        }

        return $"client: create {Median(t => t.Create)}, upload {Median(t => t.Upload)}, start {Median(t => t.Start)}, start answered → Completed seen {Median(t => t.Follow)}; " +
            $"manager's transitions: start sent → Scheduled stored {Median(t => t.ToScheduled)}, Scheduled → Running {Median(t => t.ToRunning)}, " +
            $"Running → Completed {Median(t => t.ToCompleted)}, Completed → seen by the client {Median(t => t.ToSeen)}";
    }

    private static string Goal(bool met, string goal) => $"goal: {goal} {(met ? "✔" : "✘")}";

    private sealed record Runtime(string Name, string? External, Dictionary<string, string?> Environment, int Warmups, int Sequential, int Clients, int Sustained);

    /// <summary>One round trip in milliseconds: the client's phases, then the phases between the manager's transition stamps (null when a state was not recorded).</summary>
    private sealed record Trip(
        double Total, double Create, double Upload, double Start, double Follow,
        double? ToScheduled, double? ToRunning, double? ToCompleted, double ToSeen);
}
