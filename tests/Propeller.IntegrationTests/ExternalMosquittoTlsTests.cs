using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>A real manager and a real proplet reaching Debian's Mosquitto over mutual TLS, with a CA made in the test.</summary>
public sealed class ExternalMosquittoTlsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TestCertificateAuthority _ca;

    public ExternalMosquittoTlsTests()
    {
        _ca = TestCertificateAuthority.Create(_directory.Combine("pki"));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_task_runs_with_manager_and_proplet_connected_over_mutual_tls()
    {
        var tlsPort = FreePort.Get();
        var server = _ca.IssueServer("broker", "127.0.0.1");
        await using var mosquitto = await MosquittoProcess.StartAsync(
            extraConfig: MosquittoProcess.TlsListener(tlsPort, _ca.CertificateFile, server.CertificateFile, server.KeyFile, requireCertificate: true));
        await mosquitto.WaitUntilListeningAsync(tlsPort);
        var address = $"ssl://127.0.0.1:{tlsPort}";
        var managerCertificate = _ca.IssueClient("manager", "propeller-manager");
        var propletCertificate = _ca.IssueClient("proplet", "proplet");

        await using var manager = await ManagerProcess.StartAsync(_directory, externalMqttAddress: address, extraEnvironment: new Dictionary<string, string?>
        {
            ["MANAGER_MQTT_TLS_CA_CERT"] = _ca.CertificateFile,
            ["MANAGER_MQTT_TLS_CLIENT_CERT"] = managerCertificate.CertificateFile,
            ["MANAGER_MQTT_TLS_CLIENT_KEY"] = managerCertificate.KeyFile,
        });
        const string propletId = "proplet-over-tls";
        await using var proplet = await PropletProcess.StartForAsync(manager, Repository.NodeWasiRuntime, propletId, address, new Dictionary<string, string?>
        {
            ["PROPLET_MQTT_TLS_CA_CERT"] = _ca.CertificateFile,
            ["PROPLET_MQTT_TLS_CLIENT_CERT"] = propletCertificate.CertificateFile,
            ["PROPLET_MQTT_TLS_CLIENT_KEY"] = propletCertificate.KeyFile,
        });

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "over-tls", "inputs": ["t"]}""", Repository.Guest("greet"), "over TLS");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Contains("arg[1]=t\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
        Assert.Equal(tlsPort, ListenerPortOf("propeller-manager", mosquitto.Output));
        Assert.Equal(tlsPort, ListenerPortOf(propletId, mosquitto.Output));
    }

    [Fact]
    public async Task A_proplet_that_does_not_trust_the_brokers_certificate_says_so_and_which_settings_to_check()
    {
        var tlsPort = FreePort.Get();
        var server = _ca.IssueServer("broker", "127.0.0.1");
        await using var mosquitto = await MosquittoProcess.StartAsync(
            extraConfig: MosquittoProcess.TlsListener(tlsPort, _ca.CertificateFile, server.CertificateFile, server.KeyFile));
        await mosquitto.WaitUntilListeningAsync(tlsPort);
        using var otherCa = TestCertificateAuthority.Create(_directory.Combine("other-pki"), "Unrelated CA");

        await using var proplet = PropletProcess.Start($"ssl://127.0.0.1:{tlsPort}", "domain", "channel", "proplet-distrustful", Repository.NodeWasiRuntime,
            new Dictionary<string, string?> { ["PROPLET_MQTT_TLS_CA_CERT"] = otherCa.CertificateFile });

        await proplet.WaitForLogAsync($"is not signed by the CA in '{otherCa.CertificateFile}'", TimeSpan.FromSeconds(30));
        Assert.Contains("(PROPLET_MQTT_ADDRESS, PROPLET_MQTT_TLS_CA_CERT, PROPLET_MQTT_TLS_CLIENT_CERT, PROPLET_MQTT_TLS_CLIENT_KEY)", proplet.Log, StringComparison.Ordinal);
        Assert.False(proplet.HasExited);
    }

    [Theory]
    [InlineData(null, "MANAGER_MQTT_ADDRESS is unset (plain MQTT)")]
    [InlineData("tcp://127.0.0.1:1883", "MANAGER_MQTT_ADDRESS='tcp://127.0.0.1:1883' is plain MQTT")]
    public async Task A_manager_given_a_ca_for_a_plain_broker_refuses_to_start(string? address, string reason)
    {
        await using var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), new Dictionary<string, string?>
        {
            ["MANAGER_MQTT_ADDRESS"] = address,
            ["MANAGER_MQTT_TLS_CA_CERT"] = _ca.CertificateFile,
            ["MANAGER_HTTP_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_EMBEDDED_BROKER_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MANAGER_SQLITE_PATH"] = _directory.Combine("refused.db"),
        });
        await manager.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, manager.ExitCode);
        Assert.Contains($"MANAGER_MQTT_TLS_CA_CERT='{_ca.CertificateFile}' is not valid", manager.Log, StringComparison.Ordinal);
        Assert.Contains(reason, manager.Log, StringComparison.Ordinal);
        Assert.Contains("write ssl://host:8883 to connect with TLS", manager.Log, StringComparison.Ordinal);
    }

    /// <summary>The port of the listener <paramref name="clientId"/> came in by, from Mosquitto's log: "New connection from
    /// 127.0.0.1:SOURCE on port LISTENER." then "New client connected from 127.0.0.1:SOURCE as CLIENT_ID".</summary>
    private static int ListenerPortOf(string clientId, string mosquittoLog)
    {
        var connected = Regex.Match(mosquittoLog, $@"New client connected from 127\.0\.0\.1:(\d+) as {Regex.Escape(clientId)} ");
        Assert.True(connected.Success, $"{clientId} never connected:\n{mosquittoLog}");
        var accepted = Regex.Match(mosquittoLog, $@"New connection from 127\.0\.0\.1:{connected.Groups[1].Value} on port (\d+)\.");
        Assert.True(accepted.Success, $"no listener line for {clientId}'s connection:\n{mosquittoLog}");
        return int.Parse(accepted.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
