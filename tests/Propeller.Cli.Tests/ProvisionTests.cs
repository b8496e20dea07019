using System.Net;
using System.Text.Json;
using Propeller.Core.Configuration.Toml;
using Propeller.Testing;

namespace Propeller.Cli.Tests;

/// <summary><c>propeller-cli provision</c> against a real manager, and what its files do to the manager, a proplet and the CLI.</summary>
public sealed class ProvisionTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("propeller-provision");
    private ManagerProcess _manager = null!;

    private string Output => _directory.Combine("out");

    private string ConfigPath => Path.Combine(Output, "config.toml");

    public async Task InitializeAsync() => _manager = await ManagerProcess.StartAsync(_directory, databasePath: _directory.Combine("manager.db"));

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Provision_writes_config_toml_and_the_mosquitto_files_readable_by_their_owner_only()
    {
        var result = await CliAsync(null, "provision", "--proplets", "2", "--output-dir", Output);
        Assert.True(result.ExitCode == 0, result.ToString());

        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var config = TomlReader.Parse(File.ReadAllText(ConfigPath));
        var manager = config.Table("manager")!;
        var proplet = config.Table("proplet")!;
        var cli = config.Table("cli")!;
        Assert.Equal(summary.GetProperty("domain_id").GetString(), Text(manager, "domain_id"));
        Assert.Equal(summary.GetProperty("channel_id").GetString(), Text(proplet, "channel_id"));
        Assert.Equal(summary.GetProperty("manager_client_id").GetString(), Text(manager, "client_id"));
        Assert.Equal(summary.GetProperty("proplet_client_ids")[0].GetString(), Text(proplet, "client_id"));
        Assert.Equal(_manager.BaseAddress.ToString().TrimEnd('/'), Text(cli, "manager_url"));
        Assert.StartsWith("prop_", Text(cli, "api_key"), StringComparison.Ordinal);

        // Each proplet's machine gets a file with its own key only.
        for (var n = 1; n <= 2; n++)
        {
            var own = TomlReader.Parse(File.ReadAllText(Path.Combine(Output, $"proplet-{n}.toml")));
            Assert.Equal(["proplet"], own.Keys);
            Assert.Equal(summary.GetProperty("proplet_client_ids")[n - 1].GetString(), Text(own.Table("proplet")!, "client_id"));
        }

        // The keys are in the files only: not on stdout, not in the manager's log.
        foreach (var key in new[] { Text(manager, "client_key"), Text(proplet, "client_key"), Text(cli, "api_key") })
        {
            Assert.DoesNotContain(key, result.Stdout + result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(key, _manager.Process.Log, StringComparison.Ordinal);
        }

        var passwd = File.ReadAllLines(Path.Combine(Output, "mosquitto", "passwd"));
        Assert.Equal(3, passwd.Length);
        Assert.All(passwd, line => Assert.Matches(@"^[0-9a-f-]{36}:\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$", line));
        var acl = File.ReadAllText(Path.Combine(Output, "mosquitto", "acl"));
        Assert.Contains($"user {Text(proplet, "client_id")}\n", acl, StringComparison.Ordinal);
        Assert.Contains($"topic write m/{Text(proplet, "domain_id")}/c/{Text(proplet, "channel_id")}/control/proplet/results\n", acl, StringComparison.Ordinal);

        foreach (var file in summary.GetProperty("files").EnumerateArray().Select(f => f.GetString()!))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task After_provisioning_the_api_needs_the_key_which_the_cli_reads_from_config_toml()
    {
        Assert.Equal(0, (await CliAsync(null, "provision", "--output-dir", Output)).ExitCode);

        using (var anonymous = await _manager.Http.GetAsync(new Uri("/tasks", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // The SDK sends the key it is given, and says what a 401 means without one.
        var apiKey = Text(TomlReader.Parse(File.ReadAllText(ConfigPath)).Table("cli")!, "api_key");
        using (var sdk = new Sdk.PropellerClient(_manager.BaseAddress, apiKey))
        {
            Assert.Equal(0, (await sdk.ListTasksAsync()).Total);
        }

        using (var sdk = new Sdk.PropellerClient(_manager.BaseAddress))
        {
            var refused = await Assert.ThrowsAsync<Sdk.PropellerApiException>(() => sdk.ListTasksAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var withoutKey = await CliAsync(null, "tasks", "list");
        Assert.Equal(1, withoutKey.ExitCode);
        Assert.Contains("hint: set PROPELLER_API_KEY to the manager's API key", withoutKey.Stderr, StringComparison.Ordinal);

        var listed = await CliAsync(ConfigPath, "credentials", "list");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var credentials = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("credentials").EnumerateArray().ToList();
        Assert.Equal(["api", "manager", "proplet"], credentials.Select(c => c.GetProperty("kind").GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain("prop_", listed.Stdout, StringComparison.Ordinal);

        // Revoking the API key locks it out, and the API does not fall back to open.
        var apiKeyId = credentials.Single(c => c.GetProperty("kind").GetString() == "api").GetProperty("id").GetString()!;
        Assert.Equal(0, (await CliAsync(ConfigPath, "credentials", "revoke", apiKeyId)).ExitCode);
        var revoked = await CliAsync(ConfigPath, "tasks", "list");
        Assert.Equal(1, revoked.ExitCode);
        Assert.Contains("the API key is not valid here", revoked.Stderr, StringComparison.Ordinal);
        Assert.Contains($"hint: the key came from {ConfigPath} line", revoked.Stderr, StringComparison.Ordinal);
        using var stillClosed = await _manager.Http.GetAsync(new Uri("/tasks", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, stillClosed.StatusCode);
    }

    [Fact]
    public async Task Existing_files_are_kept_unless_forced_and_a_refusal_provisions_nothing()
    {
        Assert.Equal(0, (await CliAsync(null, "provision", "--output-dir", Output)).ExitCode);
        var first = File.ReadAllText(ConfigPath);

        var again = await CliAsync(ConfigPath, "provision", "--output-dir", Output);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"{ConfigPath} exists; provisioning again would replace its keys", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(ConfigPath));
        var count = JsonDocument.Parse((await CliAsync(ConfigPath, "credentials", "list")).Stdout).RootElement.GetProperty("total").GetInt32();
        Assert.Equal(3, count);

        var forced = await CliAsync(ConfigPath, "provision", "--output-dir", Output, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.NotEqual(first, File.ReadAllText(ConfigPath));
    }

    [Fact]
    public async Task A_directory_named_config_toml_is_refused_before_anything_is_provisioned()
    {
        Directory.CreateDirectory(ConfigPath);

        var result = await CliAsync(null, "provision", "--output-dir", Output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{ConfigPath} is a directory, not a file", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Docker creates a directory when compose mounts a file that does not exist yet", result.Stderr, StringComparison.Ordinal);
        using var stillOpen = await _manager.Http.GetAsync(new Uri("/credentials", UriKind.Relative));
        Assert.Equal("""{"total":0,"credentials":[]}""", await stillOpen.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_manager_and_a_proplet_started_with_config_toml_run_a_task_and_nobody_else_gets_in()
    {
        Assert.Equal(0, (await CliAsync(null, "provision", "--output-dir", Output)).ExitCode);
        var config = TomlReader.Parse(File.ReadAllText(ConfigPath));
        var propletId = Text(config.Table("proplet")!, "client_id");

        // Restarted on the same database with only the file to say who it is (ManagerProcess's test ids are removed).
        await _manager.DisposeAsync();
        _manager = await ManagerProcess.StartAsync(_directory, databasePath: _directory.Combine("manager.db"), extraEnvironment: new Dictionary<string, string?>
        {
            ["MANAGER_CONFIG_FILE"] = ConfigPath,
            ["MANAGER_DOMAIN_ID"] = null,
            ["MANAGER_CHANNEL_ID"] = null,
        });
        await _manager.Process.WaitForLogAsync("Embedded MQTT broker admits only provisioned clients", TimeSpan.FromSeconds(10));

        var noFile = new Dictionary<string, string?> { ["PROPLET_DOMAIN_ID"] = null, ["PROPLET_CHANNEL_ID"] = null, ["PROPLET_CLIENT_ID"] = null };
        await using var proplet = PropletProcess.Start(_manager.MqttAddress, "unused", "unused", "unused", Repository.Executable("propeller-wasm"), new Dictionary<string, string?>(noFile) { ["PROPLET_CONFIG_FILE"] = ConfigPath });
        await using var stranger = PropletProcess.Start(_manager.MqttAddress, Text(config.Table("proplet")!, "domain_id"), Text(config.Table("proplet")!, "channel_id"), $"stranger-{Guid.NewGuid():N}", Repository.Executable("propeller-wasm"));

        // The restarted manager has another port than config.toml's manager_url, so the CLI keeps the file's key to itself.
        var refused = await CliAsync(ConfigPath, "tasks", "list");
        Assert.Equal(1, refused.ExitCode);
        var withKey = new Dictionary<string, string?> { ["PROPELLER_CONFIG_FILE"] = ConfigPath, ["PROPELLER_API_KEY"] = Text(config.Table("cli")!, "api_key") };
        var run = await RunAsync(withKey, ["run", Guests.Path("greet"), "--", "provisioned"]);
        Assert.True(run.ExitCode == 0, $"{run}\n--- proplet ---\n{proplet.Log}\n--- manager ---\n{_manager.Process.Log}");
        Assert.Contains("arg[1]=provisioned", run.Stdout, StringComparison.Ordinal);

        var proplets = JsonDocument.Parse((await RunAsync(withKey, ["proplets", "list"])).Stdout).RootElement.GetProperty("proplets");
        Assert.Equal([propletId], proplets.EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray());
        await stranger.WaitForLogAsync("not authorized", TimeSpan.FromSeconds(30));
    }

    private Task<CliResult> CliAsync(string? configFile, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>();
        if (configFile is not null)
        {
            environment["PROPELLER_CONFIG_FILE"] = configFile;
        }

        return RunAsync(environment, arguments);
    }

    private async Task<CliResult> RunAsync(Dictionary<string, string?> environment, string[] arguments)
    {
        await using var cli = CliProcess.Start(_manager.BaseAddress, arguments, environment);
        return await cli.WaitForExitAsync();
    }

    private static string Text(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value.Value is string text ? text : throw new Xunit.Sdk.XunitException($"no string '{key}' in the table");
}
