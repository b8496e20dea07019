using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Security;

/// <summary>Bearer API keys on the REST API of a real manager process.</summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string FirstKey = "first-key-0123456789abcdef";
    private const string SecondKey = "second-key-0123456789abcdef";

    private readonly TempDirectory _directory = new("propeller-api-keys");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Without_keys_on_loopback_the_api_is_open_and_the_log_says_so()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory);

        using var response = await manager.Http.GetAsync(new Uri("/tasks", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await manager.Process.WaitForLogAsync("REST API is open: no API key is configured and it listens on 127.0.0.1 only", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("SECURITY WARNING", manager.Process.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_MANAGER_API_KEYS_every_route_but_health_needs_one_of_the_keys()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_API_KEYS"] = $"{FirstKey}, {SecondKey}" });
        var http = manager.Http;

        var (status, error) = await TaskCalls.ErrorOf(http.GetAsync(new Uri("/tasks", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("this manager requires an API key: send the header 'Authorization: Bearer <key>'", error, StringComparison.Ordinal);

        foreach (var (scheme, value, expected) in new[]
        {
            ("Bearer", "not-a-key-0123456789abcdef", "the API key is not valid here"),
            ("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + FirstKey)), "the Authorization header is not 'Bearer <key>'"),
            ("Bearer", FirstKey + "x", "the API key is not valid here"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/tasks", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, value);
            using var refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer realm=\"propeller\"", refused.Headers.WwwAuthenticate.ToString());
            var body = System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Contains(expected, body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Routes that do not exist are no way around it, and /health stays open for load balancers.
        (status, _) = await TaskCalls.ErrorOf(http.GetAsync(new Uri("/no/such/route", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        using (var health = await http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        foreach (var key in new[] { FirstKey, SecondKey })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var created = await TaskCalls.CreateAsync(http, """{"name": "with-a-key"}""");
            Assert.Equal("with-a-key", created.GetProperty("name").GetString());
        }

        await manager.Process.WaitForLogAsync("REST API requires an API key", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(FirstKey, manager.Process.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_keys_logs_a_security_warning()
    {
        await using var manager = await ManagerProcess.StartAsync(_directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_HTTP_HOST"] = "0.0.0.0" });

        await manager.Process.WaitForLogAsync("SECURITY WARNING: the REST API on 0.0.0.0", TimeSpan.FromSeconds(10));
        using var response = await manager.Http.GetAsync(new Uri("/tasks", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_short_key_stops_the_manager_at_start_without_printing_it()
    {
        await using var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), new Dictionary<string, string?>
        {
            ["MANAGER_API_KEYS"] = "short",
            ["MANAGER_HTTP_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_SQLITE_PATH"] = _directory.Combine("never.db"),
        });
        await manager.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, manager.ExitCode);
        Assert.Contains("MANAGER_API_KEYS='(hidden: it holds secrets)' is not valid: expected comma-separated keys of at least 16 characters", manager.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("'short'", manager.Log, StringComparison.Ordinal);
    }
}
