using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Core.Messaging;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// One real manager process against 1,000 simulated proplets (<see cref="SimulatedProplet"/>, all in this
/// process) heartbeating every second: how long they take to be listed alive, what the manager costs in CPU
/// and memory while they beat, and how long it takes to run thousands of tasks on them through the REST API.
/// </summary>
public static class ScaleBenchmarks
{
    private const int Proplets = 1_000;
    private const int ConnectingAtOnce = 50;
    private const int Clients = 32;
    private const string TaskJson = """{"name": "hello"}""";

    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        var tasks = settings.Pick(1_000, 10_000);
        var probes = settings.Pick(10, 20);
        var module = Repository.Guest("hello");
        using var directory = new TempDirectory("bench-scale");
        await using var manager = await ManagerProcess.StartAsync(directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_LOG_LEVEL"] = "info" });
        var pid = manager.Process.Id;
        CheckOpenFiles(report, pid);
        var topics = new Topics(manager.DomainId, manager.ChannelId);
        var sims = new List<SimulatedProplet>();
        try
        {
            // All but the probes join at once, a few dozen connecting at a time.
            var bulk = Proplets - probes;
            sims.AddRange(Enumerable.Range(0, bulk).Select(i => new SimulatedProplet($"sim-{i:D4}", manager.BrokerPort, topics)));
            var announced = new ConcurrentDictionary<string, long>();
            var joinStarted = Stopwatch.GetTimestamp();
            var joining = Parallel.ForEachAsync(sims, new ParallelOptions { MaxDegreeOfParallelism = ConnectingAtOnce }, async (sim, _) => announced[sim.Id] = await sim.JoinAsync());
            var seen = await WatchAliveAsync(manager.Http, bulk, joining);
            await joining;
            var allAlive = Stopwatch.GetElapsedTime(joinStarted, seen.Values.Max());
            var joinLatency = new Distribution(seen.Select(s => Stopwatch.GetElapsedTime(announced[s.Key], s.Value).TotalMilliseconds));
            report.Add(
                $"{bulk} simulated proplets join ({ConnectingAtOnce} connecting at a time)",
                $"all listed alive {allAlive.TotalSeconds:0.0} s after the first connected",
                $"announcement → seen alive in GET /proplets (all pages, read over and over): {joinLatency.Describe()}");

            // Steady state: all of them beat every second while the probes join one at a time.
            var steady = settings.Pick(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(20));
            var cpu = new CpuMeter(pid);
            var steadyStarted = Stopwatch.GetTimestamp();
            var probeLatency = new List<double>();
            for (var i = 0; i < probes; i++)
            {
                var probe = new SimulatedProplet($"sim-{bulk + i:D4}", manager.BrokerPort, topics);
                sims.Add(probe);
                probeLatency.Add(await AliveAfterAsync(manager.Http, probe));
                await Task.Delay(steady / probes);
            }

            var remaining = steady - Stopwatch.GetElapsedTime(steadyStarted);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }

            var idleCores = cpu.CoresUsed();
            var idleRss = ProcessStats.Rss(pid);
            report.Add(
                $"manager with {Proplets} proplets heartbeating every second, no tasks ({steady.TotalSeconds:0} s)",
                $"{idleCores:0.00} cores, RSS {ProcessStats.Megabytes(idleRss)}",
                Goal(idleCores, idleRss));
            report.Add(
                $"one more proplet joining the {Proplets - 1} others: announcement → alive in GET /proplets/{{id}}",
                new Distribution(probeLatency).Describe(),
                "polled about every millisecond");

            await RunTasksAsync(report, manager, sims, module, tasks);
        }
        finally
        {
            await Parallel.ForEachAsync(sims, new ParallelOptions { MaxDegreeOfParallelism = 100 }, async (sim, _) => await sim.DisposeAsync());
        }
    }

    /// <summary>
    /// The timed span starts before the first POST /tasks and ends when GET /tasks?state=completed counts them all:
    /// each task is created, its module uploaded and started (<see cref="SustainedLoad"/>: <see cref="Clients"/>
    /// clients, at most twice as many tasks unfinished), placed on the least busy proplet, and answered by it.
    /// </summary>
    private static async Task RunTasksAsync(Report report, ManagerProcess manager, List<SimulatedProplet> sims, byte[] module, int tasks)
    {
        var pid = manager.Process.Id;
        var api = new TaskApi(manager.Http);
        var startsBefore = sims.Sum(s => s.StartsSeen);
        var cpu = new CpuMeter(pid);
        var clientCpu = new CpuMeter(Environment.ProcessId);
        var load = await SustainedLoad.RunAsync(api, TaskJson, module, tasks, Clients, Clients * 2);
        var cores = cpu.CoresUsed();
        var benchmarkCores = clientCpu.CoresUsed();
        var peak = ProcessStats.PeakRss(pid);
        var delivered = sims.Sum(s => s.StartsSeen) - startsBefore;
        var inactive = (await manager.Http.GetFromJsonAsync<JsonElement>(new Uri("/proplets?status=inactive&limit=1", UriKind.Relative))).GetProperty("total").GetInt64();
        var missed = sims.Sum(s => s.HeartbeatsMissed);
        var kicked = manager.Process.Log.Split('\n').Count(l => l.Contains("unacknowledged QoS 1 messages", StringComparison.Ordinal));
        report.Add(
            $"{tasks:N0} tasks on {Proplets} proplets: create + upload + start ({Clients} clients, at most {Clients * 2} tasks unfinished) until all are Completed",
            load.AllCompleted ? $"{load.Took.TotalSeconds:0.0} s, {load.PerSecond:0} tasks/s" : load.Describe(),
            $"{load.Trouble()}start messages delivered to proplets: {delivered:N0} (each start goes to every proplet); " +
            $"connections the broker cut for falling behind: {kicked}; proplets not alive at the end: {inactive}; heartbeats not acknowledged within 1 s: {missed:N0}");
        report.Add(
            $"manager while running the {tasks:N0} tasks",
            $"{cores:0.00} cores, peak RSS {ProcessStats.Megabytes(peak)}",
            $"{Goal(cores, peak)}; this process (clients and the {Proplets} simulated proplets) used {benchmarkCores:0.00} cores");
    }

    /// <summary>When each proplet is first seen alive, reading every page of GET /proplets again and again until <paramref name="expected"/> are.</summary>
    private static async Task<Dictionary<string, long>> WatchAliveAsync(HttpClient http, int expected, Task joining)
    {
        var seen = new Dictionary<string, long>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (seen.Count < expected)
        {
            if (DateTime.UtcNow > deadline || joining.IsFaulted)
            {
                await joining;
                throw new TimeoutException($"only {seen.Count} of {expected} simulated proplets were listed alive within 3 minutes");
            }

            for (var offset = 0; offset < expected + 100; offset += 100)
            {
                var page = await http.GetFromJsonAsync<JsonElement>(new Uri($"/proplets?offset={offset}&limit=100", UriKind.Relative));
                var now = Stopwatch.GetTimestamp();
                foreach (var proplet in page.GetProperty("proplets").EnumerateArray())
                {
                    if (proplet.GetProperty("alive").GetBoolean())
                    {
                        seen.TryAdd(proplet.GetProperty("id").GetString()!, now);
                    }
                }
            }

            await Task.Delay(10);
        }

        return seen;
    }

    /// <summary>Milliseconds from the probe's announcement until GET /proplets/{id} says it is alive.</summary>
    private static async Task<double> AliveAfterAsync(HttpClient http, SimulatedProplet probe)
    {
        var announced = await probe.JoinAsync();
        while (true)
        {
            using var response = await http.GetAsync(new Uri($"/proplets/{probe.Id}", UriKind.Relative));
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alive").GetBoolean())
            {
                return Stopwatch.GetElapsedTime(announced).TotalMilliseconds;
            }

            if (Stopwatch.GetElapsedTime(announced) > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"{probe.Id} was not alive a minute after it announced itself");
            }

            await Task.Delay(1);
        }
    }

    private static void CheckOpenFiles(Report report, int pid)
    {
        var manager = ProcessStats.OpenFilesLimit(pid);
        var own = ProcessStats.OpenFilesLimit(Environment.ProcessId);
        var needed = Proplets + 200;
        if (Math.Min(manager, own) < needed)
        {
            throw new InvalidOperationException(
                $"{Proplets} connections need about {needed} open files in the manager and in this process, but the limits are {manager} and {own}: raise them (`ulimit -n 4096` in the shell that runs make bench)");
        }

        report.Add("open-file limit (soft) of the manager / of the benchmark process", $"{manager} / {own}", $"{Proplets} connections take {Proplets} descriptors on each side; .NET raises its soft limit to the hard limit (`ulimit -Hn`) at start-up");
    }

    private static string Goal(double cores, long rss) =>
        $"goal: under one core {(cores < 1 ? "✔" : "✘")} and 300 MB {(rss < 300L * 1024 * 1024 ? "✔" : "✘")}";
}
