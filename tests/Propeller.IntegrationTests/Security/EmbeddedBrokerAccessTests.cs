using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Propeller.Core.Messaging;
using Propeller.Mqtt;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Security;

/// <summary>
/// A manager restarted on a provisioned domain and channel: its embedded broker admits only provisioned
/// identities, and a proplet may use only its own topics and speak only for itself.
/// </summary>
public sealed class EmbeddedBrokerAccessTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("propeller-broker-access");
    private ManagerProcess _manager = null!;
    private JsonElement _provisioned;
    private Topics _topics = null!;

    private string Proplet1 => _provisioned.GetProperty("proplets")[0].GetProperty("client_id").GetString()!;

    private string Proplet1Key => _provisioned.GetProperty("proplets")[0].GetProperty("client_key").GetString()!;

    private string Proplet2 => _provisioned.GetProperty("proplets")[1].GetProperty("client_id").GetString()!;

    private string Proplet2Key => _provisioned.GetProperty("proplets")[1].GetProperty("client_key").GetString()!;

    public async Task InitializeAsync()
    {
        var database = _directory.Combine("manager.db");
        await using (var first = await ManagerProcess.StartAsync(_directory, databasePath: database))
        {
            using var response = await first.Http.PostAsync(new Uri("/provision", UriKind.Relative), new StringContent("""{"proplets": 2}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            _provisioned = await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        // Restarted on the provisioned channel, as with the config.toml that provision writes.
        _manager = await ManagerProcess.StartAsync(
            _directory,
            domainId: _provisioned.GetProperty("domain_id").GetString(),
            channelId: _provisioned.GetProperty("channel_id").GetString(),
            databasePath: database);
        _manager.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _provisioned.GetProperty("api").GetProperty("key").GetString());
        _topics = new Topics(_manager.DomainId, _manager.ChannelId);
        await _manager.Process.WaitForLogAsync("Embedded MQTT broker admits only provisioned clients", TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Clients_without_a_provisioned_id_and_key_are_refused()
    {
        var apiKey = _provisioned.GetProperty("api");
        foreach (var (clientId, username, password, what) in new (string, string?, string?, string)[]
        {
            ($"anonymous-{Guid.NewGuid():N}", null, null, "no credentials"),
            (Proplet1, Proplet1, "wrong-key", "a wrong key"),
            ($"impostor-{Guid.NewGuid():N}", $"impostor-{Guid.NewGuid():N}", Proplet1Key, "a proplet's key under another id"),
            (Proplet1, Proplet2, Proplet1Key, "a username that is not the client id"),
            (apiKey.GetProperty("id").GetString()!, apiKey.GetProperty("id").GetString(), apiKey.GetProperty("key").GetString(), "an API key"),
        })
        {
            await using var client = Client(clientId, username, password);
            var refused = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync());
            Assert.True(refused.Message.Contains("not authorized", StringComparison.OrdinalIgnoreCase), $"{what}: {refused.Message}");
        }

        await using var proplet = Client(Proplet1, Proplet1, Proplet1Key);
        await proplet.ConnectAsync();
    }

    [Fact]
    public async Task A_proplet_may_subscribe_only_to_the_managers_control_topics()
    {
        await using var intruder = Client(Proplet2, Proplet2, Proplet2Key);
        await intruder.ConnectAsync();

        foreach (var filter in new[] { _topics.PropletAll, _topics.PropletResults, $"{_topics.Base}/#", "#", $"m/other/c/{_manager.ChannelId}/control/manager/+" })
        {
            var denied = await Assert.ThrowsAsync<InvalidOperationException>(() => intruder.SubscribeAsync(filter, MqttQos.AtLeastOnce));
            Assert.Contains("0x80", denied.Message, StringComparison.Ordinal);
        }

        await intruder.SubscribeAsync(_topics.ManagerAll, MqttQos.AtLeastOnce);
    }

    [Fact]
    public async Task A_proplet_cannot_forge_another_proplets_result()
    {
        await using var proplet = await PropletProcess.StartForAsync(_manager, runtime: Repository.Executable("propeller-wasm"), propletId: Proplet1, extraEnvironment: new Dictionary<string, string?> { ["PROPLET_CLIENT_KEY"] = Proplet1Key });
        var id = (await TaskCalls.CreateAsync(_manager.Http, $$"""{"name": "sleeper", "inputs": ["2"], "proplet_id": "{{Proplet1}}"}""")).GetProperty("id").GetString()!;
        using (var upload = await TaskCalls.UploadAsync(_manager.Http, id, Repository.Guest("sleep")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        using (await TaskCalls.StartAsync(_manager.Http, id))
        {
        }

        var running = await TaskCalls.WaitForStateAsync(_manager.Http, id, state => state == 2, "the sleeper runs on proplet 1");
        var attempt = running.GetProperty("attempt").GetInt32();

        // The second proplet, with its own valid credentials, claims to be the first and reports the task done.
        await using var intruder = Client(Proplet2, Proplet2, Proplet2Key);
        await intruder.ConnectAsync();
        var forged = $$"""{"task_id": "{{id}}", "proplet_id": "{{Proplet1}}", "results": "forged", "attempt": {{attempt}}}""";
        var disguised = $$"""{"task_id": "{{id}}", "proplet_id": "{{Proplet2}}", "PROPLET_ID": "{{Proplet1}}", "results": "forged", "attempt": {{attempt}}}""";
        foreach (var payload in new[] { forged, disguised })
        {
            await intruder.PublishAsync(new MqttApplicationMessage(_topics.PropletResults, Encoding.UTF8.GetBytes(payload), MqttQos.AtLeastOnce));
        }

        // Its own result, retained, would be replayed to the manager after any revocation: refused too.
        var retained = $$"""{"task_id": "{{id}}", "proplet_id": "{{Proplet2}}", "results": "retained"}""";
        await intruder.PublishAsync(new MqttApplicationMessage(_topics.PropletResults, Encoding.UTF8.GetBytes(retained), MqttQos.AtLeastOnce, Retain: true));

        var ended = await TaskCalls.WaitForEndAsync(_manager.Http, id, "the real result arrives after 2 s");
        Assert.Equal(3, ended.GetProperty("state").GetInt32());
        Assert.Equal("started\nwoke up\n", ended.GetProperty("results").GetString());
        var denials = _manager.Process.Log.Split('\n').Where(line => line.Contains($"is not authorized to publish to {_topics.PropletResults}", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, denials.Count);
        Assert.All(denials, line => Assert.Contains(Proplet2, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_revoked_key_is_disconnected_and_no_longer_connects_and_the_channel_stays_closed()
    {
        await using var connected = Client(Proplet2, Proplet2, Proplet2Key);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connected.ConnectionChanged += up =>
        {
            if (!up)
            {
                lost.TrySetResult();
            }
        };
        await connected.ConnectAsync();
        await connected.SubscribeAsync(_topics.ManagerAll, MqttQos.AtLeastOnce);

        using (var revoke = await _manager.Http.DeleteAsync(new Uri($"/credentials/{Proplet2}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        // Its open connection is closed (it would otherwise go on receiving every proplet's start), and it cannot come back.
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var after = Client(Proplet2, Proplet2, Proplet2Key);
        await Assert.ThrowsAsync<MqttConnectionException>(() => after.ConnectAsync());
        var listed = await _manager.Http.GetFromJsonAsync<JsonElement>(new Uri("/credentials", UriKind.Relative));
        var revoked = Assert.Single(listed.GetProperty("credentials").EnumerateArray(), c => c.GetProperty("id").GetString() == Proplet2);
        Assert.True(revoked.TryGetProperty("revoked_at", out _), revoked.ToString());
        using (var again = await _manager.Http.DeleteAsync(new Uri($"/credentials/{Proplet2}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // Revoking every proplet leaves the channel closed: no anonymous client gets in.
        using (var revokeFirst = await _manager.Http.DeleteAsync(new Uri($"/credentials/{Proplet1}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, revokeFirst.StatusCode);
        }

        await using var anonymous = Client($"anonymous-{Guid.NewGuid():N}", null, null);
        await Assert.ThrowsAsync<MqttConnectionException>(() => anonymous.ConnectAsync());
    }

    [Fact]
    public async Task The_manager_credential_cannot_stand_in_for_the_manager_on_its_embedded_broker()
    {
        var manager = _provisioned.GetProperty("manager");
        var id = manager.GetProperty("client_id").GetString()!;
        await using var impostor = Client(id, id, manager.GetProperty("client_key").GetString());
        await Assert.ThrowsAsync<MqttConnectionException>(() => impostor.ConnectAsync());
    }

    private MqttClient Client(string clientId, string? username, string? password) =>
        new(new MqttClientOptions { Host = "127.0.0.1", Port = _manager.BrokerPort, ClientId = clientId, Username = username, Password = password });
}
