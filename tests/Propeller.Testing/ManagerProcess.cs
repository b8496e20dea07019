using System.Net.Http.Json;

namespace Propeller.Testing;

/// <summary>
/// A real <c>build/propeller-manager</c> on free loopback ports with its own SQLite file; with no
/// external broker given it hosts its embedded one. Ready when <c>GET /health</c> answers.
/// </summary>
public sealed class ManagerProcess : IAsyncDisposable
{
    private ManagerProcess(ChildProcess process, int httpPort, int brokerPort, string domainId, string channelId, string databasePath)
    {
        Process = process;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        DomainId = domainId;
        ChannelId = channelId;
        DatabasePath = databasePath;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ChildProcess Process { get; }

    public int HttpPort { get; }

    /// <summary>The embedded broker's port (meaningless when an external broker was given).</summary>
    public int BrokerPort { get; }

    public string DomainId { get; }

    public string ChannelId { get; }

    public string DatabasePath { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>The address proplets use to reach the embedded broker.</summary>
    public string MqttAddress => $"tcp://127.0.0.1:{BrokerPort}";

    public HttpClient Http { get; }

    /// <param name="databasePath">Reuse a database (a restart); a fresh one in <paramref name="directory"/> otherwise.</param>
    public static async Task<ManagerProcess> StartAsync(
        TempDirectory directory,
        string? externalMqttAddress = null,
        string? domainId = null,
        string? channelId = null,
        string? databasePath = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null,
        int? httpPort = null,
        int? brokerPort = null)
    {
        var http = httpPort ?? FreePort.Get();
        var broker = brokerPort ?? FreePort.Get();
        var domain = domainId ?? $"domain-{Guid.NewGuid():N}";
        var channel = channelId ?? $"channel-{Guid.NewGuid():N}";
        var database = databasePath ?? Path.Combine(directory.Path, $"manager-{Guid.NewGuid():N}.db");
        var environment = new Dictionary<string, string?>
        {
            ["MANAGER_HTTP_HOST"] = "127.0.0.1",
            ["MANAGER_HTTP_PORT"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_EMBEDDED_BROKER_PORT"] = broker.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_MQTT_ADDRESS"] = externalMqttAddress,
            ["MANAGER_DOMAIN_ID"] = domain,
            ["MANAGER_CHANNEL_ID"] = channel,
            ["MANAGER_SQLITE_PATH"] = database,
            ["MANAGER_LOG_LEVEL"] = "Debug",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start(Repository.Executable("propeller-manager"), environment);
        var manager = new ManagerProcess(process, http, broker, domain, channel, database);
        await manager.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30));
        return manager;
    }

    /// <summary>Polls <c>GET /proplets</c> until <paramref name="propletId"/> is listed alive.</summary>
    public async Task WaitForAlivePropletAsync(string propletId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Http.GetAsync(new Uri($"/proplets/{propletId}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                var proplet = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                if (proplet.GetProperty("alive").GetBoolean())
                {
                    return;
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"proplet {propletId} was not alive at the manager within {timeout.TotalSeconds} s. Manager log:\n{Process.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"the manager did not become healthy within {timeout.TotalSeconds} s{(Process.HasExited ? $" (exited with {Process.ExitCode})" : "")}. Its log:\n{Process.Log}");
    }
}
