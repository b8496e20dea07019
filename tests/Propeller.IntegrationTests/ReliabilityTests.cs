using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Mqtt;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// What happens when things break, with real processes killed (SIGKILL) and real brokers restarted:
/// lost proplets, a killed manager, a restarted Mosquitto, duplicate deliveries, full proplets.
/// Proplets here beat every second, so "lost" means three silent seconds or a dropped connection.
/// </summary>
public sealed partial class ReliabilityTests : IDisposable
{
    private static readonly Dictionary<string, string?> Embedded = new() { ["PROPLET_RUNTIME"] = "embedded" };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_killed_proplet_fails_its_task_or_hands_it_to_the_other_proplet_and_the_other_keeps_working()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        var doomed = await PropletProcess.StartForAsync(manager, null, "proplet-doomed", extraEnvironment: Embedded);
        var noRetry = await StartedSleeperAsync(manager.Http, """{"name": "no-retry", "inputs": [600]}""");
        var retried = await StartedSleeperAsync(manager.Http, """{"name": "retried", "inputs": [600], "max_retries": 1}""");
        await TaskCalls.WaitForStateAsync(manager.Http, noRetry, s => s == 2, "running on the doomed proplet");
        await TaskCalls.WaitForStateAsync(manager.Http, retried, s => s == 2, "running on the doomed proplet");
        await using var survivor = await PropletProcess.StartForAsync(manager, null, "proplet-survivor", extraEnvironment: Embedded);

        await doomed.KillAsync();

        var failed = await TaskCalls.WaitForEndAsync(manager.Http, noRetry, "the doomed proplet was killed");
        Assert.Equal(4, failed.GetProperty("state").GetInt32());
        Assert.StartsWith("proplet proplet-doomed lost: ", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("set max_retries", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal([0, 1, 2, 4], States(failed));

        // The task that allows a retry runs again, on the survivor, under a new attempt number.
        var moved = await TaskCalls.WaitForStateAsync(manager.Http, retried, s => s == 2, "placed again on the survivor");
        Assert.Equal("proplet-survivor", moved.GetProperty("proplet_id").GetString());
        Assert.Equal(1, moved.GetProperty("retries").GetInt32());
        Assert.Equal(2, moved.GetProperty("attempt").GetInt32());
        Assert.Equal([0, 1, 2, 0, 1, 2], States(moved));
        Assert.StartsWith("proplet proplet-doomed lost: ", moved.GetProperty("transitions")[3].GetProperty("reason").GetString(), StringComparison.Ordinal);

        var doomedView = await manager.Http.GetFromJsonAsync<JsonElement>("/proplets/proplet-doomed");
        Assert.False(doomedView.GetProperty("alive").GetBoolean());
        Assert.Equal(0, doomedView.GetProperty("task_count").GetInt32());

        (await manager.Http.PostAsync(new Uri($"/tasks/{retried}/stop", UriKind.Relative), null)).Dispose();
        var after = await TaskCalls.RunAsync(manager.Http, """{"name": "after"}""", Repository.Guest("greet"), "the survivor keeps working");
        Assert.Equal(3, after.GetProperty("state").GetInt32());
        Assert.Equal("proplet-survivor", after.GetProperty("proplet_id").GetString());
    }

    [Fact]
    public async Task Kill_9_of_the_manager_with_200_tasks_in_flight_loses_none_and_runs_none_twice()
    {
        const int count = 200;
        var database = Path.Combine(_directory.Path, "kept.db");
        int httpPort = FreePort.Get(), brokerPort = FreePort.Get();
        Task<ManagerProcess> StartManager() =>
            ManagerProcess.StartAsync(_directory, databasePath: database, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c");
        var manager = await StartManager();
        await using var one = await PropletProcess.StartForAsync(manager, null, "proplet-one", extraEnvironment: Embedded);
        await using var two = await PropletProcess.StartForAsync(manager, null, "proplet-two", extraEnvironment: Embedded);
        var module = Repository.Guest("greet");
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = (await TaskCalls.CreateAsync(manager.Http, $$"""{"name": "t{{i}}", "file": "{{Convert.ToBase64String(module)}}", "inputs": ["n{{i}}"]}""")).GetProperty("id").GetString()!;
            ids.Add(id);
        }

        // Start them all at once and kill the manager while the starts, runs and results are on their way.
        var starts = ids.Select(id => StartIgnoringOutageAsync(manager.Http, id)).ToList();
        await WaitUntilAsync(async () => (await CountAsync(manager.Http, "state=3")) >= count / 4, "a quarter of the tasks done");
        await manager.Process.KillAsync();
        await Task.WhenAll(starts);
        await manager.DisposeAsync();

        await using var restarted = await StartManager();
        foreach (var id in ids)
        {
            // "attempt" is left out until the task was placed once.
            var task = await TaskCalls.GetAsync(restarted.Http, id);
            if (task.GetProperty("state").GetInt32() == 0 && !task.TryGetProperty("attempt", out _))
            {
                // Its start never reached the manager: the user's retry.
                (await TaskCalls.StartAsync(restarted.Http, id)).Dispose();
            }
        }

        var runs = new List<string>();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var done = await TaskCalls.WaitForEndAsync(restarted.Http, id, "every task reaches an end after the restart");
            Assert.True(done.GetProperty("state").GetInt32() == 3, $"task {id}: {done}");
            Assert.Contains($"n{i}", done.GetProperty("results").GetString(), StringComparison.Ordinal);
        }

        var logs = one.Log + two.Log;
        foreach (var id in ids)
        {
            var executions = Regex.Count(logs, $"Executing task {id}");
            Assert.True(executions == 1, $"task {id} ran {executions} times");
        }
    }

    [Fact]
    public async Task A_result_finished_while_the_embedded_broker_was_down_with_its_manager_arrives_after_the_restart()
    {
        var database = Path.Combine(_directory.Path, "kept.db");
        int httpPort = FreePort.Get(), brokerPort = FreePort.Get();
        Task<ManagerProcess> StartManager() =>
            ManagerProcess.StartAsync(_directory, databasePath: database, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c");
        var manager = await StartManager();
        await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-patient", extraEnvironment: Embedded);
        var id = await StartedSleeperAsync(manager.Http, """{"name": "outlives-the-manager", "inputs": [2]}""");
        await TaskCalls.WaitForStateAsync(manager.Http, id, s => s == 2, "running before the crash");

        await manager.Process.KillAsync();
        await manager.DisposeAsync();
        await proplet.WaitForLogAsync($"Task completed {id}", TimeSpan.FromSeconds(30));

        await using var restarted = await StartManager();
        var done = await TaskCalls.WaitForEndAsync(restarted.Http, id, "the result kept by the proplet arrives");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Equal("started\nwoke up\n", done.GetProperty("results").GetString());
        Assert.Equal(1, Regex.Count(proplet.Log, $"Executing task {id}"));
    }

    [Fact]
    public async Task Restarting_Mosquitto_reconnects_everyone_and_a_result_finished_during_the_outage_arrives()
    {
        var port = FreePort.Get();
        var mosquitto = await MosquittoProcess.StartAsync(port);
        try
        {
            await using var manager = await ManagerProcess.StartAsync(_directory, externalMqttAddress: $"tcp://127.0.0.1:{port}");
            await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-mosquitto", $"tcp://127.0.0.1:{port}", Embedded);
            var id = await StartedSleeperAsync(manager.Http, """{"name": "outlives-the-broker", "inputs": [2]}""");
            await TaskCalls.WaitForStateAsync(manager.Http, id, s => s == 2, "running before the broker goes");

            await mosquitto.DisposeAsync();
            await proplet.WaitForLogAsync($"Task completed {id}", TimeSpan.FromSeconds(30));
            mosquitto = await MosquittoProcess.StartAsync(port);

            var done = await TaskCalls.WaitForEndAsync(manager.Http, id, "the result kept by the proplet arrives");
            Assert.Equal(3, done.GetProperty("state").GetInt32());
            Assert.Equal("started\nwoke up\n", done.GetProperty("results").GetString());
            var before = (await manager.Http.GetFromJsonAsync<JsonElement>("/proplets/proplet-mosquitto")).GetProperty("last_alive_at").GetDateTime();
            await WaitUntilAsync(
                async () => (await manager.Http.GetFromJsonAsync<JsonElement>("/proplets/proplet-mosquitto")).GetProperty("last_alive_at").GetDateTime() > before,
                "heartbeats resume");
            var after = await TaskCalls.RunAsync(manager.Http, """{"name": "after-the-outage"}""", Repository.Guest("greet"), "work goes on");
            Assert.Equal(3, after.GetProperty("state").GetInt32());
        }
        finally
        {
            await mosquitto.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wasi_nn_task_waits_while_no_proplet_serves_wasi_nn_then_runs_on_one_that_joins()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        await using var plain = await PropletProcess.StartForAsync(manager, Repository.NodeWasiRuntime, "proplet-plain", extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "host" });
        var id = (await TaskCalls.CreateAsync(manager.Http, $$"""{"name": "classify", "cli_args": ["-S", "nn", "--dir={{Repository.WasiNnFixture}}::fixture"]}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(manager.Http, id, Repository.WasiNnGuest("classification-c"))).Dispose();

        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.StartAsync(manager.Http, id));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("needs wasi-nn (-S nn in its cli_args), which none of the 1 alive proplet(s) can serve (proplet-plain serves no wasi-nn)", error, StringComparison.Ordinal);
        var waiting = await TaskCalls.GetAsync(manager.Http, id);
        Assert.Equal(0, waiting.GetProperty("state").GetInt32());
        Assert.Contains("serves no wasi-nn", waiting.GetProperty("pending_reason").GetString(), StringComparison.Ordinal);

        await using var nn = await PropletProcess.StartForAsync(manager, null, "proplet-nn", extraEnvironment: Embedded, allowedDirs: [Repository.WasiNnFixture]);
        var done = await TaskCalls.WaitForEndAsync(manager.Http, id, "placed on the wasi-nn proplet when it joined");
        Assert.True(done.GetProperty("state").GetInt32() == 3, done.ToString());
        Assert.Equal("proplet-nn", done.GetProperty("proplet_id").GetString());
        Assert.Contains("Top 5", done.GetProperty("results").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain($"task {id}", plain.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_task_no_proplet_can_run_fails_after_the_pending_timeout_saying_what_was_missing()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_PENDING_TIMEOUT"] = "2s" });
        await using var plain = await PropletProcess.StartForAsync(manager, null, "proplet-openvino", extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "embedded", ["PROPLET_NN_ENCODINGS"] = "openvino" });
        var id = (await TaskCalls.CreateAsync(manager.Http, """{"name": "wants-onnx", "cli_args": ["-S", "nn-graph=onnx::/models"]}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(manager.Http, id, Repository.Guest("greet"))).Dispose();
        (await TaskCalls.StartAsync(manager.Http, id)).Dispose();

        var failed = await TaskCalls.WaitForEndAsync(manager.Http, id, "the wait runs out");
        Assert.Equal(4, failed.GetProperty("state").GetInt32());
        Assert.Equal(
            "no proplet could run the task within 2s (MANAGER_PENDING_TIMEOUT): the task needs wasi-nn with the onnx graph encoding (-S nn-graph in its cli_args), which none of the 1 alive proplet(s) can serve (proplet-openvino serves wasi-nn for openvino only); it starts when a proplet that can joins (e.g. one with PROPLET_RUNTIME=embedded, see docs/wasi-nn.md)",
            failed.GetProperty("error").GetString());
        Assert.Equal([0, 0, 4], States(failed));
    }

    [Fact]
    public async Task A_full_proplet_takes_no_more_tasks_until_one_ends()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-single", extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "embedded", ["PROPLET_MAX_TASKS"] = "1" });
        var view = await manager.Http.GetFromJsonAsync<JsonElement>("/proplets/proplet-single");
        Assert.Equal(1, view.GetProperty("metadata").GetProperty("max_tasks").GetInt32());
        Assert.Equal("1s", view.GetProperty("metadata").GetProperty("liveliness_interval").GetString());
        Assert.StartsWith("propeller-wasm ", view.GetProperty("metadata").GetProperty("wasm_runtime_version").GetString(), StringComparison.Ordinal);

        var first = await StartedSleeperAsync(manager.Http, """{"name": "first", "inputs": [600]}""");
        var second = (await TaskCalls.CreateAsync(manager.Http, """{"name": "second", "inputs": [0]}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(manager.Http, second, Repository.Guest("sleep"))).Dispose();
        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.StartAsync(manager.Http, second));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("run their maximum number of tasks (max_tasks)", error, StringComparison.Ordinal);

        (await manager.Http.PostAsync(new Uri($"/tasks/{first}/stop", UriKind.Relative), null)).Dispose();
        var done = await TaskCalls.WaitForEndAsync(manager.Http, second, "placed once the first ended");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task A_start_delivered_twice_runs_once_and_reports_of_an_older_attempt_change_nothing()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-dedup", extraEnvironment: Embedded);
        var id = await StartedSleeperAsync(manager.Http, """{"name": "once", "inputs": [600]}""");
        var running = await TaskCalls.WaitForStateAsync(manager.Http, id, s => s == 2, "running");
        var attempt = running.GetProperty("attempt").GetInt32();
        var topics = new Topics(manager.DomainId, manager.ChannelId);
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = manager.BrokerPort, ClientId = "test-duplicates" });
        await client.ConnectAsync();

        // The same start again, as a QoS 1 redelivery would bring it: ignored while the run goes on.
        var start = new StartMessage { Id = Guid.Parse(id), Name = "once", File = Repository.Guest("sleep"), PropletId = "proplet-dedup", Attempt = attempt, Inputs = [JsonSerializer.SerializeToElement(600)] };
        await client.PublishAsync(new MqttApplicationMessage(topics.ManagerStart, JsonSerializer.SerializeToUtf8Bytes(start, PropellerJsonContext.Default.StartMessage), MqttQos.AtLeastOnce));
        await proplet.WaitForLogAsync($"Task {id} (attempt {attempt}) already runs here; duplicate start ignored", TimeSpan.FromSeconds(30));

        // A result of an older attempt, and one from another proplet: neither ends the task.
        foreach (var stale in new[] { new ResultMessage { TaskId = Guid.Parse(id), PropletId = "proplet-dedup", Attempt = attempt - 1, Results = JsonSerializer.SerializeToElement("stale") }, new ResultMessage { TaskId = Guid.Parse(id), PropletId = "proplet-other", Attempt = attempt, Results = JsonSerializer.SerializeToElement("stranger") } })
        {
            await client.PublishAsync(new MqttApplicationMessage(topics.PropletResults, JsonSerializer.SerializeToUtf8Bytes(stale, PropellerJsonContext.Default.ResultMessage), MqttQos.AtLeastOnce));
        }

        await manager.Process.WaitForLogAsync($"Result for task {id} from proplet proplet-other", TimeSpan.FromSeconds(30));
        var still = await TaskCalls.GetAsync(manager.Http, id);
        Assert.Equal(2, still.GetProperty("state").GetInt32());
        Assert.Equal(1, Regex.Count(proplet.Log, $"Executing task {id}"));

        // Stopped, then the same start once more: the proplet answers with what it has instead of running it again.
        (await manager.Http.PostAsync(new Uri($"/tasks/{id}/stop", UriKind.Relative), null)).Dispose();
        await proplet.WaitForLogAsync($"Task {id} stopped", TimeSpan.FromSeconds(30));
        Assert.Equal(1, Regex.Count(proplet.Log, $"Executing task {id}"));
    }

    private static async Task<string> StartedSleeperAsync(HttpClient http, string createJson)
    {
        var id = (await TaskCalls.CreateAsync(http, createJson)).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(http, id, Repository.Guest("sleep"))).Dispose();
        using var start = await TaskCalls.StartAsync(http, id);
        Assert.Equal("""{"started":true}""", await start.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task StartIgnoringOutageAsync(HttpClient http, string id)
    {
        try
        {
            (await TaskCalls.StartAsync(http, id)).Dispose();
        }
        catch (HttpRequestException)
        {
            // The manager was killed under this request; what became of the task is checked after the restart.
        }
    }

    private static async Task<long> CountAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonElement>($"/tasks?{query}&limit=1")).GetProperty("total").GetInt64();

    private static List<int> States(JsonElement task) =>
        [.. task.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetInt32())];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        // A hang guard, not a performance bound.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(25);
        }
    }
}
