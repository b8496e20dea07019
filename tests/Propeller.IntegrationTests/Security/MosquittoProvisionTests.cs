using System.Net.Http.Headers;
using System.Text;
using Propeller.Core.Configuration.Toml;
using Propeller.Core.Messaging;
using Propeller.Mqtt;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Security;

/// <summary>
/// The files <c>propeller-cli provision</c> writes for an external Mosquitto, loaded by Debian's real Mosquitto:
/// the provisioned manager and proplet run a task through it, and it holds everyone else to the same rules as
/// the embedded broker (topics; it cannot read payloads).
/// </summary>
public sealed class MosquittoProvisionTests : IDisposable
{
    private readonly TempDirectory _directory = new("propeller-mosquitto-provision");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Provisioned_files_make_mosquitto_admit_the_manager_and_proplet_and_hold_others_to_their_topics()
    {
        var database = _directory.Combine("manager.db");
        var output = _directory.Combine("out");
        await using (var first = await ManagerProcess.StartAsync(_directory, databasePath: database))
        {
            await using var cli = ChildProcess.Start(
                Repository.Executable("propeller-cli"),
                new Dictionary<string, string?> { ["PROPELLER_MANAGER_URL"] = first.BaseAddress.ToString() },
                "provision", "--output-dir", output);
            await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(cli.ExitCode == 0, cli.Log);
        }

        // The include file provision wrote names the broker container's paths; here they are the output directory.
        var include = await File.ReadAllLinesAsync(Path.Combine(output, "mosquitto", "conf.d", "propeller.conf"));
        Assert.Equal(["allow_anonymous false", "use_username_as_clientid true", "password_file /mosquitto/config/passwd", "acl_file /mosquitto/config/acl"], include.Where(l => !l.StartsWith('#')).ToArray());
        var brokerConfig = include.Where(l => !l.StartsWith('#')).Select(l => l.Replace("/mosquitto/config", Path.Combine(output, "mosquitto"), StringComparison.Ordinal)).ToList();
        // The files are readable by their owner only (0600). Started as root, Mosquitto would drop to its own user and
        // could not read them (compose's broker gets them chowned, docs/deployment.md); as another user it stays that user.
        brokerConfig.Add("user root");
        await using var mosquitto = await MosquittoProcess.StartAsync(extraConfig: brokerConfig, allowAnonymous: false);
        var address = $"tcp://{mosquitto.Address}";

        var configPath = Path.Combine(output, "config.toml");
        var config = TomlReader.Parse(await File.ReadAllTextAsync(configPath));
        var manager = config.Table("manager")!;
        var proplet = config.Table("proplet")!;
        var second = await ManagerProcess.StartAsync(_directory, externalMqttAddress: address, databasePath: database, extraEnvironment: new Dictionary<string, string?>
        {
            ["MANAGER_CONFIG_FILE"] = configPath,
            ["MANAGER_DOMAIN_ID"] = null,
            ["MANAGER_CHANNEL_ID"] = null,
        });
        second.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Text(config.Table("cli")!, "api_key"));
        var worker = PropletProcess.Start(address, "unused", "unused", "unused", Repository.NodeWasiRuntime, new Dictionary<string, string?>
        {
            ["PROPLET_CONFIG_FILE"] = configPath,
            ["PROPLET_DOMAIN_ID"] = null,
            ["PROPLET_CHANNEL_ID"] = null,
            ["PROPLET_CLIENT_ID"] = null,
        });
        await second.WaitForAlivePropletAsync(Text(proplet, "client_id"), TimeSpan.FromSeconds(30));

        try
        {
            var done = await TaskCalls.RunAsync(second.Http, """{"name": "through-provisioned-mosquitto", "inputs": ["acl"]}""", Repository.Guest("greet"), "through mosquitto with credentials");
            Assert.Equal(3, done.GetProperty("state").GetInt32());
            Assert.Contains("arg[1]=acl\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            // Gone before the checks below: with use_username_as_clientid their identities' clients would take their places.
            await worker.DisposeAsync();
            await second.DisposeAsync();
        }

        // Nobody else connects.
        await using (var anonymous = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = mosquitto.Port, ClientId = $"anonymous-{Guid.NewGuid():N}" }))
        {
            await Assert.ThrowsAsync<MqttConnectionException>(() => anonymous.ConnectAsync());
        }

        // A proplet's identity may announce itself but not give the manager's orders: a start it publishes reaches no one.
        var topics = new Topics(Text(manager, "domain_id"), Text(manager, "channel_id"));
        var seen = new List<string>();
        var aliveSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var observer = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1", Port = mosquitto.Port, ClientId = Text(manager, "client_id") + "-observer", Username = Text(manager, "client_id"), Password = Text(manager, "client_key"),
        });
        // The manager's identity, now that the manager is gone, observes the channel with its rights.
        observer.MessageHandler = (message, _) =>
        {
            lock (seen)
            {
                seen.Add(message.Topic);
            }

            if (message.Topic == topics.PropletAlive && Encoding.UTF8.GetString(message.Payload.Span).Contains("forger-marker", StringComparison.Ordinal))
            {
                aliveSeen.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await observer.ConnectAsync();
        await observer.SubscribeAsync($"{topics.Base}/control/#", MqttQos.AtLeastOnce);

        await using var forger = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1", Port = mosquitto.Port, ClientId = Text(proplet, "client_id") + "-forger", Username = Text(proplet, "client_id"), Password = Text(proplet, "client_key"),
        });
        await forger.ConnectAsync();
        await forger.PublishAsync(new MqttApplicationMessage(topics.ManagerStart, Encoding.UTF8.GetBytes("""{"id": "forged"}"""), MqttQos.AtLeastOnce));
        await forger.PublishAsync(new MqttApplicationMessage(topics.PropletAlive, Encoding.UTF8.GetBytes($$"""{"proplet_id": "{{Text(proplet, "client_id")}}", "status": "forger-marker"}"""), MqttQos.AtLeastOnce));
        await aliveSeen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (seen)
        {
            Assert.DoesNotContain(topics.ManagerStart, seen);
        }
    }

    private static string Text(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value.Value is string text ? text : throw new Xunit.Sdk.XunitException($"no string '{key}' in the table");
}
