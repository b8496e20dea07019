using System.Net;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>A task is never lost: not when nobody can run it yet, not when the manager dies.</summary>
public sealed class NothingLostTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_task_started_while_no_proplet_is_alive_waits_and_runs_when_one_connects()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        var id = (await TaskCalls.CreateAsync(manager.Http, """{"name": "early"}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(manager.Http, id, Repository.Guest("greet"))).Dispose();

        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.StartAsync(manager.Http, id));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal($"task {id} is waiting: no proplet is alive; the task starts as soon as one connects (start a proplet, or check that it reaches the MQTT broker)", error);
        var waiting = await TaskCalls.GetAsync(manager.Http, id);
        Assert.Equal(0, waiting.GetProperty("state").GetInt32());
        Assert.StartsWith("no proplet is alive", waiting.GetProperty("pending_reason").GetString(), StringComparison.Ordinal);

        await using var proplet = await PropletProcess.StartForAsync(manager, Repository.NodeWasiRuntime);
        var done = await TaskCalls.WaitForEndAsync(manager.Http, id, "the waiting task is placed when the proplet appears");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.StartsWith("Hello from a WebAssembly guest", done.GetProperty("results").GetString(), StringComparison.Ordinal);
        Assert.False(done.TryGetProperty("pending_reason", out _));
    }

    [Fact]
    public async Task Tasks_survive_a_killed_manager_and_the_proplet_comes_back_by_itself()
    {
        var database = Path.Combine(_directory.Path, "kept.db");
        var httpPort = FreePort.Get();
        var brokerPort = FreePort.Get();
        var manager = await ManagerProcess.StartAsync(_directory, databasePath: database, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c");
        await using var proplet = await PropletProcess.StartForAsync(manager, Repository.NodeWasiRuntime, "proplet-survivor");
        var finished = await TaskCalls.RunAsync(manager.Http, """{"name": "before-crash"}""", Repository.Guest("greet"), "runs before the crash");
        var pending = (await TaskCalls.CreateAsync(manager.Http, """{"name": "not-started", "cli_args": ["-S", "nn"]}""")).GetProperty("id").GetString()!;

        await manager.Process.KillAsync();
        await manager.DisposeAsync();
        await using var restarted = await ManagerProcess.StartAsync(_directory, databasePath: database, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c");

        var kept = await TaskCalls.GetAsync(restarted.Http, finished.GetProperty("id").GetString()!);
        Assert.Equal(3, kept.GetProperty("state").GetInt32());
        Assert.Equal(finished.GetProperty("results").GetString(), kept.GetProperty("results").GetString());
        var notStarted = await TaskCalls.GetAsync(restarted.Http, pending);
        Assert.Equal(0, notStarted.GetProperty("state").GetInt32());
        Assert.Equal("""["-S","nn"]""", notStarted.GetProperty("cli_args").GetRawText());

        // The proplet reconnects to the new broker on its own and takes work again.
        await restarted.WaitForAlivePropletAsync("proplet-survivor", TimeSpan.FromSeconds(30));
        var after = await TaskCalls.RunAsync(restarted.Http, """{"name": "after-crash"}""", Repository.Guest("greet"), "runs after the restart");
        Assert.Equal(3, after.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task A_host_runtime_proplet_without_a_runtime_fails_the_task_saying_which_variable_to_set()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        await using var proplet = await PropletProcess.StartForAsync(
            manager, runtime: null, extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "host" });

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "no-runtime"}""", Repository.Guest("greet"), "fails at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.StartsWith("no external WebAssembly runtime is configured: set PROPLET_EXTERNAL_WASM_RUNTIME", done.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proplet_with_no_runtime_configured_runs_tasks_embedded()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);
        await using var proplet = await PropletProcess.StartForAsync(manager, runtime: null);

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "embedded-by-default", "inputs": ["x"]}""", Repository.Guest("greet"), "greet ends at once");

        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.StartsWith("Hello from a WebAssembly guest\narg[1]=x\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }
}
