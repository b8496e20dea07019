using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>
/// A real manager (embedded broker, MANAGER_MAX_UPLOAD_MB=1) and a real proplet (embedded runtime), with a task
/// that ran to completion before any hostile input: after a storm that task must be exactly as it was, both
/// processes alive with nothing in their error logs, and a normal task must still run to completion.
/// </summary>
public sealed class FuzzStack : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public ManagerProcess Manager { get; private set; } = null!;

    public ChildProcess Proplet { get; private set; } = null!;

    public string PropletId { get; } = $"fuzz-proplet-{Guid.NewGuid():N}";

    public HttpClient Http => Manager.Http;

    /// <summary>The task that ran before the storm, and its JSON (module included) as the manager then showed it.</summary>
    public string SentinelId { get; private set; } = "";

    public string SentinelJson { get; private set; } = "";

    /// <summary>Only the sentinel's own env has this value, so no generated update can equal it by chance.</summary>
    public string SentinelGreeting { get; } = $"sentinel-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        Manager = await ManagerProcess.StartAsync(Directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_MAX_UPLOAD_MB"] = "1" });
        Proplet = await PropletProcess.StartForAsync(Manager, runtime: null, PropletId, extraEnvironment: new Dictionary<string, string?> { ["PROPLET_RUNTIME"] = "embedded" });
        var sentinel = await TaskCalls.RunAsync(Http, $$"""{"name": "sentinel", "env": {"GREETING": "{{SentinelGreeting}}"}, "inputs": ["a", 1]}""", Repository.Guest("greet"), "the sentinel runs before the storm");
        Assert.Equal(3, sentinel.GetProperty("state").GetInt32());
        SentinelId = sentinel.GetProperty("id").GetString()!;
        SentinelJson = await Http.GetStringAsync(new Uri($"/tasks/{SentinelId}", UriKind.Relative));
    }

    /// <summary>What every storm must leave behind; <paramref name="storm"/> names it in failures.</summary>
    public async Task AssertIntactAsync(string storm)
    {
        Assert.False(Manager.Process.HasExited, $"the manager died during {storm}. Its log:\n{Tail(Manager.Process.Log)}");
        Assert.False(Proplet.HasExited, $"the proplet died during {storm}. Its log:\n{Tail(Proplet.Log)}");
        var health = await Http.GetFromJsonAsync<JsonElement>(new Uri("/health", UriKind.Relative));
        Assert.Equal("pass", health.GetProperty("status").GetString());
        Assert.Equal(SentinelJson, await Http.GetStringAsync(new Uri($"/tasks/{SentinelId}", UriKind.Relative)));

        var after = await TaskCalls.RunAsync(Http, $$"""{"name": "after {{storm}}", "proplet_id": "{{PropletId}}"}""", Repository.Guest("greet"), $"a normal task after {storm}");
        Assert.Equal(3, after.GetProperty("state").GetInt32());
        Assert.StartsWith("Hello from a WebAssembly guest\n", after.GetProperty("results").GetString(), StringComparison.Ordinal);

        AssertNoErrorsLogged("manager", Manager.Process.Log);
        AssertNoErrorsLogged("proplet", Proplet.Log);
    }

    /// <summary><see cref="HostileResponse.AssertWellFormed"/>, with the manager's errors in the message when it fails.</summary>
    internal void AssertWellFormed(HostileRequest request, HostileResponse response)
    {
        try
        {
            response.AssertWellFormed(request);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var errors = Manager.Process.Log.Split('\n').Where(line => line.Contains("\"level\":\"ERROR\"", StringComparison.Ordinal)).TakeLast(2);
            throw new Xunit.Sdk.XunitException($"{e.Message}\nThe manager's last errors:\n{string.Join('\n', errors.Select(l => l.Length > 3000 ? l[..3000] + "…" : l))}");
        }
    }

    public async Task DisposeAsync()
    {
        await Proplet.DisposeAsync();
        await Manager.DisposeAsync();
        Directory.Dispose();
    }

    /// <summary>Errors are what the programs log for their own faults; a client's mistake is a warning at most.</summary>
    private static void AssertNoErrorsLogged(string who, string log)
    {
        var errors = log.Split('\n').Where(line => line.Contains("\"level\":\"ERROR\"", StringComparison.Ordinal) || line.Contains("\"level\":\"FATAL\"", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"the {who} logged {errors.Count} error(s):\n{string.Join('\n', errors.Take(5).Select(e => e.Length > 3000 ? e[..3000] + "…" : e))}");
    }

    private static string Tail(string log) => log.Length > 20_000 ? "…" + log[^20_000..] : log;
}
