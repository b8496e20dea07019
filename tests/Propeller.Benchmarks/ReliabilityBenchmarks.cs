using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// How fast failures are noticed and how a manager crash is survived, with real processes (figures in
/// docs/reliability.md): a proplet killed (its connection drops, the broker sends its will) or frozen
/// (SIGSTOP: the connection stays, heartbeats stop), and kill -9 of the manager with 200 tasks in flight.
/// </summary>
public static partial class ReliabilityBenchmarks
{
    private static readonly Dictionary<string, string?> Embedded = new() { ["PROPLET_RUNTIME"] = "embedded" };

    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        var rounds = settings.Pick(2, 5);
        using var directory = new TempDirectory("bench-reliability");
        await using var manager = await ManagerProcess.StartAsync(directory);
        var killed = new List<double>();
        var frozen = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            killed.Add(await LostAfterAsync(manager, freeze: false));
            frozen.Add(await LostAfterAsync(manager, freeze: true));
        }

        report.Add("proplet killed (SIGKILL) → its task Failed \"proplet … lost\", heartbeat every 1 s", $"median {Timing.Format(Median(killed))}, max {Timing.Format(killed.Max())}", $"{rounds} rounds; the broker's will message");
        report.Add("proplet frozen (SIGSTOP) → its task Failed, heartbeat every 1 s", $"median {Timing.Format(Median(frozen))}, max {Timing.Format(frozen.Max())}", $"{rounds} rounds; 3 silent intervals, checked every second");

        await ManagerCrashAsync(report, directory);
    }

    /// <summary>Milliseconds from the proplet's death (or freeze) to its task showing Failed.</summary>
    private static async Task<double> LostAfterAsync(ManagerProcess manager, bool freeze)
    {
        var id = $"proplet-{Guid.NewGuid():N}";
        await using var proplet = await PropletProcess.StartForAsync(manager, null, id, extraEnvironment: Embedded);
        var task = await CreateAsync(manager.Http, """{"name": "sleeper", "inputs": [600]}""", Repository.Guest("sleep"));
        await StartAsync(manager.Http, task);
        await WaitForStateAsync(manager.Http, task, s => s == 2);

        var start = Stopwatch.GetTimestamp();
        if (freeze)
        {
            using var stop = Process.Start("kill", ["-STOP", proplet.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await stop.WaitForExitAsync();
        }
        else
        {
            await proplet.KillAsync();
        }

        await WaitForStateAsync(manager.Http, task, s => s == 4);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static async Task ManagerCrashAsync(Report report, TempDirectory directory)
    {
        const int count = 200;
        var database = Path.Combine(directory.Path, "crash.db");
        int httpPort = FreePort.Get(), brokerPort = FreePort.Get();
        Task<ManagerProcess> StartManager() =>
            ManagerProcess.StartAsync(directory, databasePath: database, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c");
        var manager = await StartManager();
        await using var one = await PropletProcess.StartForAsync(manager, null, "bench-one", extraEnvironment: Embedded);
        await using var two = await PropletProcess.StartForAsync(manager, null, "bench-two", extraEnvironment: Embedded);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await CreateAsync(manager.Http, $$"""{"name": "t{{i}}", "inputs": ["n{{i}}"]}""", Repository.Guest("greet")));
        }

        var starts = ids.Select(async id =>
        {
            try
            {
                await StartAsync(manager.Http, id);
            }
            catch (HttpRequestException)
            {
            }
        }).ToList();
        while (await CountAsync(manager.Http, "state=3") < count / 4)
        {
            await Task.Delay(10);
        }

        await manager.Process.KillAsync();
        await Task.WhenAll(starts);
        await manager.DisposeAsync();
        var crash = Stopwatch.GetTimestamp();
        await using var restarted = await StartManager();
        var byState = new int[7];
        foreach (var id in ids)
        {
            var task = await GetAsync(restarted.Http, id);
            var state = task.GetProperty("state").GetInt32();
            byState[state]++;
            if (state == 0 && !task.TryGetProperty("attempt", out _))
            {
                await StartAsync(restarted.Http, id);
            }
        }

        foreach (var id in ids)
        {
            await WaitForStateAsync(restarted.Http, id, s => s >= 3);
        }

        var recovered = Stopwatch.GetElapsedTime(crash).TotalMilliseconds;
        var completed = 0;
        foreach (var id in ids)
        {
            completed += (await GetAsync(restarted.Http, id)).GetProperty("state").GetInt32() == 3 ? 1 : 0;
        }

        var logs = one.Log + two.Log;
        var runTwice = ids.Count(id => Regex.Count(logs, $"Executing task {id}") > 1);
        var resent = Regex.Count(restarted.Process.Log, "sending its start again");
        var answeredAgain = Regex.Count(logs, "already ended here; sending its result again");
        report.Add(
            $"kill -9 of the manager (embedded broker) with {count} tasks started at once, 2 proplets",
            $"{completed}/{count} Completed, {runTwice} run twice",
            $"at the restart: {byState[3]} Completed, {byState[1] + byState[2]} Scheduled/Running, {byState[0]} never started; {resent} starts re-sent, {answeredAgain} answered with a kept result; all ended {Timing.Format(recovered)} after the restart began");
    }

    private static async Task<string> CreateAsync(HttpClient http, string json, byte[] module)
    {
        using var response = await http.PostAsync(new Uri("/tasks", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(module), "file", "module.wasm" } };
        (await http.PutAsync(new Uri($"/tasks/{id}/upload", UriKind.Relative), form)).Dispose();
        return id;
    }

    private static async Task StartAsync(HttpClient http, string id) =>
        (await http.PostAsync(new Uri($"/tasks/{id}/start", UriKind.Relative), null)).Dispose();

    private static async Task<JsonElement> GetAsync(HttpClient http, string id) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}", UriKind.Relative));

    private static async Task<long> CountAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks?{query}&limit=1", UriKind.Relative))).GetProperty("total").GetInt64();

    private static async Task WaitForStateAsync(HttpClient http, string id, Func<int, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!wanted((await GetAsync(http, id)).GetProperty("state").GetInt32()))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"task {id} did not reach the state within 2 minutes");
            }

            await Task.Delay(10);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
