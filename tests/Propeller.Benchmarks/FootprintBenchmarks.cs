using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// What an idle manager and an idle proplet cost, and how long each takes from its process starting to being
/// of use: the manager until GET /health answers, a proplet until the manager lists it alive.
/// </summary>
public static class FootprintBenchmarks
{
    private static readonly Dictionary<string, string?> ManagerLogs = new() { ["MANAGER_LOG_LEVEL"] = "info" };

    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        var starts = settings.Pick(2, 7);
        var idle = settings.Pick(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        using var directory = new TempDirectory("bench-footprint");

        var managerStarts = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using var once = await ManagerProcess.StartAsync(directory, extraEnvironment: ManagerLogs);
            managerStarts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        report.Add("manager start-up: process start → GET /health answers (embedded broker, new SQLite file)", Describe(managerStarts), "polled every 10 ms");

        await using var manager = await ManagerProcess.StartAsync(directory, extraEnvironment: ManagerLogs);
        await Task.Delay(idle);
        report.Add($"idle manager: resident memory after {idle.TotalSeconds:0} s, no proplet, no task", ProcessStats.Megabytes(ProcessStats.Rss(manager.Process.Id)), "VmRSS");

        var runtimes = new (string Name, string? External, Dictionary<string, string?> Environment)[]
        {
            ("embedded", null, new() { ["PROPLET_RUNTIME"] = "embedded", ["PROPLET_LOG_LEVEL"] = "info" }),
            ("host (propeller-wasm)", Repository.Executable("propeller-wasm"), new() { ["PROPLET_RUNTIME"] = "host", ["PROPLET_LOG_LEVEL"] = "info" }),
        };
        foreach (var (name, external, environment) in runtimes)
        {
            var propletStarts = new List<double>();
            for (var i = 0; i < starts; i++)
            {
                var id = $"bench-footprint-{Guid.NewGuid():N}";
                var started = Stopwatch.GetTimestamp();
                await using var proplet = PropletProcess.Start(manager.MqttAddress, manager.DomainId, manager.ChannelId, id, external, environment);
                await WaitUntilAliveAsync(manager.Http, id, proplet);
                propletStarts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (i == starts - 1)
                {
                    await Task.Delay(idle);
                    report.Add($"idle proplet, {name} runtime: resident memory after {idle.TotalSeconds:0} s, heartbeating every second", ProcessStats.Megabytes(ProcessStats.Rss(proplet.Id)), "VmRSS");
                }
            }

            report.Add($"proplet start-up, {name} runtime: process start → listed alive by GET /proplets/{{id}}", Describe(propletStarts), "polled every 5 ms");
        }
    }

    private static async Task WaitUntilAliveAsync(HttpClient http, string id, ChildProcess proplet)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            using var response = await http.GetAsync(new Uri($"/proplets/{id}", UriKind.Relative));
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alive").GetBoolean())
            {
                return;
            }

            if (DateTime.UtcNow > deadline || proplet.HasExited)
            {
                throw new TimeoutException($"proplet {id} was not listed alive within a minute{(proplet.HasExited ? $" (it exited with {proplet.ExitCode})" : "")}. Its log:\n{proplet.Log}");
            }

            await Task.Delay(5);
        }
    }

    private static string Describe(List<double> milliseconds)
    {
        var distribution = new Distribution(milliseconds);
        return $"median {Timing.Format(distribution.Median)}, max {Timing.Format(distribution.Max)} (n={distribution.Count})";
    }
}
