using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests;

/// <summary>Our client speaking MQTT over TLS to Debian's real Mosquitto, with certificate authorities made in the test.</summary>
public sealed class TlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("mqtt-tls");
    private readonly List<MosquittoProcess> _brokers = [];
    private TestCertificateAuthority? _ca;
    private TestCertificateAuthority? _otherCa;

    private TestCertificateAuthority Ca => _ca ?? throw new InvalidOperationException("not initialised");

    private TestCertificateAuthority OtherCa => _otherCa ?? throw new InvalidOperationException("not initialised");

    public Task InitializeAsync()
    {
        _ca = TestCertificateAuthority.Create(_directory.Combine("ca"));
        _otherCa = TestCertificateAuthority.Create(_directory.Combine("other-ca"), "Unrelated CA");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var broker in _brokers)
        {
            output.WriteLine(broker.Output);
            await broker.DisposeAsync();
        }

        _ca?.Dispose();
        _otherCa?.Dispose();
        _directory.Dispose();
    }

    [Theory]
    [InlineData("tlsv1.2")]
    [InlineData("tlsv1.3")]
    public async Task Publish_and_subscribe_over_tls_by_ip_address_and_by_host_name(string tlsVersion)
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1", "localhost"), tlsVersion: tlsVersion);
        var trustCa = new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile };
        var received = new MessageCollector();
        await using var subscriber = await ConnectAsync(Options(port, "sub", trustCa, host: "localhost"), received);
        await using var publisher = await ConnectAsync(Options(port, "pub", trustCa));
        await subscriber.SubscribeAsync("tls/+", MqttQos.AtLeastOnce, Guard.Token());

        await publisher.PublishAsync(Message("tls/a", "encrypted", MqttQos.AtLeastOnce), Guard.Token());
        await publisher.PublishAsync(Message("tls/b", new string('x', 200_000), MqttQos.AtMostOnce), Guard.Token());

        var messages = await received.TakeAsync(2);
        Assert.Equal(["encrypted", new string('x', 200_000)], messages.Select(m => m.Text()));
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_refused_naming_the_ca_file()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"));
        await using var client = NewClient(Options(port, "wrong-ca", new MqttTlsOptions { CaCertificateFile = OtherCa.CertificateFile }), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains($"TLS connection to MQTT broker at 127.0.0.1:{port} failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("(CN=127.0.0.1, issued by CN=Propeller Test CA)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"is not signed by the CA in '{OtherCa.CertificateFile}'", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Without_a_ca_file_a_private_ca_is_refused_as_untrusted_by_this_machine()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"));
        await using var client = NewClient(Options(port, "system-store", new MqttTlsOptions()), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains("is not signed by a CA this machine trusts", error.Message, StringComparison.Ordinal);
        Assert.Contains("give that CA's certificate as the CA certificate file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_as_a_name_mismatch()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("elsewhere", "broker.example.com"));
        await using var client = NewClient(Options(port, "mismatch", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile }), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains("is for 'broker.example.com', not for '127.0.0.1' (name mismatch)", error.Message, StringComparison.Ordinal);

        // The chain itself is fine: only the name is reported.
        Assert.DoesNotContain("not signed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_broker_certificate_is_refused_with_its_validity()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueExpiredServer("expired", "127.0.0.1"));
        await using var client = NewClient(Options(port, "expired", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile }), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains("is valid only from", error.Message, StringComparison.Ordinal);
        Assert.Contains("renew it (or check this machine's clock)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not signed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tlsv1.2")]
    [InlineData("tlsv1.3")]
    public async Task Mutual_tls_accepts_a_client_certificate_signed_by_the_brokers_ca(string tlsVersion)
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"), requireCertificate: true, tlsVersion: tlsVersion);
        var (certificate, key) = Ca.IssueClient("client", "proplet-1");
        var received = new MessageCollector();
        await using var client = await ConnectAsync(
            Options(port, "mutual", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile, ClientCertificateFile = certificate, ClientKeyFile = key }),
            received);

        await client.SubscribeAsync("mutual/echo", MqttQos.AtLeastOnce, Guard.Token());
        await client.PublishAsync(Message("mutual/echo", "both sides verified", MqttQos.AtLeastOnce), Guard.Token());

        Assert.Equal("both sides verified", (await received.NextAsync("the echo")).Text());
    }

    [Theory]
    [InlineData("tlsv1.2")]
    [InlineData("tlsv1.3")]
    public async Task Mutual_tls_refuses_a_client_without_a_certificate_and_says_one_is_needed(string tlsVersion)
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"), requireCertificate: true, tlsVersion: tlsVersion);
        await using var client = NewClient(Options(port, "anonymous", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile }), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("if the broker requires client certificates, give a client certificate and key", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData("tlsv1.2")]
    [InlineData("tlsv1.3")]
    public async Task Mutual_tls_refuses_a_client_certificate_from_another_ca(string tlsVersion)
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"), requireCertificate: true, tlsVersion: tlsVersion);
        var (certificate, key) = OtherCa.IssueClient("stranger", "stranger");
        await using var client = NewClient(
            Options(port, "stranger", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile, ClientCertificateFile = certificate, ClientKeyFile = key }),
            output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains("client certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains("a CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_client_on_the_tls_port_fails_cleanly_and_suggests_ssl()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"));
        await using var client = NewClient(Options(port, "plain", tls: null), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains($"MQTT broker at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("if that port is a TLS listener, use an ssl:// address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_client_on_a_plain_port_fails_cleanly_and_suggests_tcp()
    {
        await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"));
        var plainPort = _brokers[0].Port;
        await using var client = NewClient(Options(plainPort, "tls-on-plain", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile }), output);

        var error = await Assert.ThrowsAsync<MqttConnectionException>(() => client.ConnectAsync(Guard.Token()));
        output.WriteLine(error.Message);

        Assert.Contains($"TLS connection to MQTT broker at 127.0.0.1:{plainPort} failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("if that port speaks plain MQTT, use a tcp:// address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnects_fail_with_the_certificate_reason_under_backoff_and_recover_once_the_certificate_is_trusted_again()
    {
        var port = await StartTlsBrokerAsync(Ca.IssueServer("broker", "127.0.0.1"));
        var logger = new TestLogger<MqttClient>(output, "client");
        var options = Options(port, "survivor", new MqttTlsOptions { CaCertificateFile = Ca.CertificateFile });
        await using var client = new MqttClient(options, logger);
        await client.ConnectAsync(Guard.Token());

        // The broker comes back with a certificate from a CA the client does not trust.
        await _brokers[^1].StopAsync();
        await StartTlsBrokerAsync(OtherCa.IssueServer("impostor", "127.0.0.1"), tlsPort: port);
        var expected = $"is not signed by the CA in '{Ca.CertificateFile}'";
        await Guard.UntilAsync(
            () => logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("Reconnect attempt", StringComparison.Ordinal) && e.Message.Contains(expected, StringComparison.Ordinal)) >= 3,
            "three reconnect attempts failed on the certificate");
        Assert.False(client.IsConnected);

        // The attempts were numbered on, so each waited its growing backoff delay rather than starting over.
        Assert.Contains(logger.Entries, e => e.Message.Contains("Reconnect attempt 3 ", StringComparison.Ordinal) && e.Message.Contains(expected, StringComparison.Ordinal));

        await _brokers[^1].StopAsync();
        await StartTlsBrokerAsync(Ca.IssueServer("broker-again", "127.0.0.1"), tlsPort: port);
        await Guard.UntilAsync(() => client.IsConnected, "the client reconnected to the trusted broker");
        await client.PublishAsync(Message("tls/after", "back", MqttQos.AtLeastOnce), Guard.Token());
    }

    [Fact]
    public void Unreadable_tls_files_are_refused_when_the_client_is_made()
    {
        var missing = _directory.Combine("missing-ca.pem");
        var error = Assert.Throws<ArgumentException>(() => new MqttClient(Options(8883, "x", new MqttTlsOptions { CaCertificateFile = missing })));
        Assert.Contains($"Cannot read the CA certificate file '{missing}'", error.Message, StringComparison.Ordinal);

        var (certificate, _) = Ca.IssueClient("lonely", "lonely");
        error = Assert.Throws<ArgumentException>(() => new MqttClient(Options(8883, "x", new MqttTlsOptions { ClientCertificateFile = certificate })));
        Assert.Contains($"The client certificate file '{certificate}' is given without its private key file", error.Message, StringComparison.Ordinal);

        var (_, otherKey) = Ca.IssueClient("other", "other");
        error = Assert.Throws<ArgumentException>(() => new MqttClient(Options(8883, "x", new MqttTlsOptions { ClientCertificateFile = certificate, ClientKeyFile = otherKey })));
        Assert.Contains($"The client key file '{otherKey}' does not hold the unencrypted PEM private key of the certificate in '{certificate}'", error.Message, StringComparison.Ordinal);
    }

    private static MqttClientOptions Options(int port, string clientId, MqttTlsOptions? tls, string host = "127.0.0.1") => new()
    {
        Host = host,
        Port = port,
        ClientId = clientId,
        Tls = tls,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <returns>The TLS listener's port.</returns>
    private async Task<int> StartTlsBrokerAsync(
        (string CertificateFile, string KeyFile) server,
        bool requireCertificate = false,
        string tlsVersion = "tlsv1.2",
        int? tlsPort = null)
    {
        var port = tlsPort ?? FreePort.Get();
        var broker = await MosquittoProcess.StartAsync(
            extraConfig: MosquittoProcess.TlsListener(port, Ca.CertificateFile, server.CertificateFile, server.KeyFile, requireCertificate, tlsVersion),
            cancellationToken: Guard.Token());
        _brokers.Add(broker);
        await broker.WaitUntilListeningAsync(port, Guard.Token());
        return port;
    }

    private async Task<MqttClient> ConnectAsync(MqttClientOptions options, MessageCollector? collector = null)
    {
        var client = NewClient(options, output, collector);
        await client.ConnectAsync(Guard.Token());
        return client;
    }
}
