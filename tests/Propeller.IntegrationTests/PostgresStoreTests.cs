using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>The manager on PostgreSQL (a private PostgreSQL 15 cluster from Debian's package): the seeds' flow, and nothing lost to kill -9.</summary>
public sealed class PostgresStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Tasks_kept_in_PostgreSQL_survive_a_killed_manager()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var url = await cluster.CreateDatabaseUrlAsync();
        var environment = new Dictionary<string, string?> { ["MANAGER_STORAGE_TYPE"] = "postgres", ["MANAGER_POSTGRES_URL"] = url };
        int httpPort = FreePort.Get(), brokerPort = FreePort.Get();
        Task<ManagerProcess> StartManager() => ManagerProcess.StartAsync(_directory, httpPort: httpPort, brokerPort: brokerPort, domainId: "d", channelId: "c", extraEnvironment: environment);

        var manager = await StartManager();
        await using var proplet = await PropletProcess.StartForAsync(manager, null, "proplet-pg", extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "embedded" });
        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "kept-in-postgres", "inputs": ["pg"]}""", Repository.Guest("greet"), "runs with the PostgreSQL store");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.False(File.Exists(manager.DatabasePath), "the SQLite file was created although the store is PostgreSQL");

        await manager.Process.KillAsync();
        await manager.DisposeAsync();
        await using var restarted = await StartManager();
        var kept = await TaskCalls.GetAsync(restarted.Http, done.GetProperty("id").GetString()!);
        Assert.Equal(done.GetProperty("results").GetString(), kept.GetProperty("results").GetString());
        Assert.Equal([0, 1, 2, 3], kept.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetInt32()));
    }

    [Fact]
    public async Task A_manager_that_cannot_reach_its_PostgreSQL_server_says_so_and_exits()
    {
        var port = FreePort.Get();
        var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), new Dictionary<string, string?>
        {
            ["MANAGER_STORAGE_TYPE"] = "postgres",
            ["MANAGER_POSTGRES_URL"] = $"postgres://nobody:secret@127.0.0.1:{port}/tasks",
            ["MANAGER_HTTP_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_EMBEDDED_BROKER_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using (manager)
        {
            await manager.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1, manager.ExitCode);
            Assert.Contains("propeller-manager: cannot open the task store, the PostgreSQL server of MANAGER_POSTGRES_URL:", manager.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", manager.Log, StringComparison.Ordinal);
        }
    }
}
