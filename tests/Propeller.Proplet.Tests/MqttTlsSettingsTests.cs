using Propeller.Core.Configuration;
using Propeller.Testing;

namespace Propeller.Proplet.Tests;

/// <summary>PROPLET_MQTT_TLS_* as an operator writes them (upstream's names), and what a mistake says at start.</summary>
public sealed class MqttTlsSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TestCertificateAuthority _ca;
    private readonly (string CertificateFile, string KeyFile) _client;

    public MqttTlsSettingsTests()
    {
        _ca = TestCertificateAuthority.Create(_directory.Combine("pki"));
        _client = _ca.IssueClient("client", "proplet");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void An_ssl_address_with_a_ca_and_a_client_certificate_gives_their_files()
    {
        var options = Read(
            ("PROPLET_MQTT_ADDRESS", "ssl://broker.example.com"),
            ("PROPLET_MQTT_TLS_CA_CERT", _ca.CertificateFile),
            ("PROPLET_MQTT_TLS_CLIENT_CERT", _client.CertificateFile),
            ("PROPLET_MQTT_TLS_CLIENT_KEY", _client.KeyFile),
            ("PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", "false"));

        Assert.Equal(new MqttTlsFiles(_ca.CertificateFile, _client.CertificateFile, _client.KeyFile), options.MqttTls);
    }

    [Fact]
    public void An_ssl_address_alone_uses_tls_with_the_machines_cas_and_a_tcp_address_none()
    {
        Assert.Equal(new MqttTlsFiles(null, null, null), Read(("PROPLET_MQTT_ADDRESS", "mqtts://broker.example.com:8884")).MqttTls);
        Assert.Null(Read(("PROPLET_MQTT_ADDRESS", "tcp://broker.example.com:1883")).MqttTls);
        Assert.Null(Read().MqttTls);
    }

    [Fact]
    public void A_ca_with_a_plain_address_is_refused_rather_than_silently_sent_in_clear()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read(
            ("PROPLET_MQTT_ADDRESS", "tcp://broker:1883"),
            ("PROPLET_MQTT_TLS_CA_CERT", _ca.CertificateFile)));

        Assert.Equal("PROPLET_MQTT_TLS_CA_CERT", error.Name);
        Assert.Contains("PROPLET_MQTT_ADDRESS='tcp://broker:1883' is plain MQTT: write ssl://host:8883 to connect with TLS, or unset PROPLET_MQTT_TLS_CA_CERT", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<InvalidSettingException>(() => Read(
            ("PROPLET_MQTT_TLS_CLIENT_CERT", _client.CertificateFile),
            ("PROPLET_MQTT_TLS_CLIENT_KEY", _client.KeyFile)));
        Assert.Equal("PROPLET_MQTT_TLS_CLIENT_CERT", error.Name);
        Assert.Contains("PROPLET_MQTT_ADDRESS='tcp://localhost:1883' is plain MQTT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_wrong_file_is_refused_naming_the_variable()
    {
        var missing = _directory.Combine("nowhere.pem");
        var error = Assert.Throws<InvalidSettingException>(() => ReadTls(("PROPLET_MQTT_TLS_CA_CERT", missing)));
        Assert.Equal("PROPLET_MQTT_TLS_CA_CERT", error.Name);
        Assert.Contains($"PROPLET_MQTT_TLS_CA_CERT='{missing}' is not valid: expected a readable PEM file with the certificate of the CA", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(Could not find file '{missing}'", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<InvalidSettingException>(() => ReadTls(("PROPLET_MQTT_TLS_CA_CERT", _client.KeyFile)));
        Assert.Equal("PROPLET_MQTT_TLS_CA_CERT", error.Name);
        Assert.Contains("it holds no '-----BEGIN CERTIFICATE-----' block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_needs_its_own_key_and_a_key_needs_a_certificate()
    {
        var error = Assert.Throws<InvalidSettingException>(() => ReadTls(("PROPLET_MQTT_TLS_CLIENT_CERT", _client.CertificateFile)));
        Assert.Equal("PROPLET_MQTT_TLS_CLIENT_KEY", error.Name);
        Assert.Contains("the PEM file with the private key of PROPLET_MQTT_TLS_CLIENT_CERT", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<InvalidSettingException>(() => ReadTls(("PROPLET_MQTT_TLS_CLIENT_KEY", _client.KeyFile)));
        Assert.Equal("PROPLET_MQTT_TLS_CLIENT_CERT", error.Name);

        var other = _ca.IssueClient("other", "other");
        error = Assert.Throws<InvalidSettingException>(() => ReadTls(
            ("PROPLET_MQTT_TLS_CLIENT_CERT", _client.CertificateFile),
            ("PROPLET_MQTT_TLS_CLIENT_KEY", other.KeyFile)));
        Assert.Equal("PROPLET_MQTT_TLS_CLIENT_KEY", error.Name);
        Assert.Contains($"the unencrypted PEM private key of the certificate in PROPLET_MQTT_TLS_CLIENT_CERT ('{_client.CertificateFile}')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipping_verification_is_refused_with_what_to_do_instead()
    {
        var error = Assert.Throws<InvalidSettingException>(() => ReadTls(("PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", "true")));

        Assert.Equal("PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", error.Name);
        Assert.Contains("give the CA that signed it in PROPLET_MQTT_TLS_CA_CERT", error.Message, StringComparison.Ordinal);
    }

    private static PropletOptions Read(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        return PropletOptions.FromSettings(new Settings(name => values.GetValueOrDefault(name)));
    }

    private static PropletOptions ReadTls(params (string Name, string Value)[] variables) =>
        Read([("PROPLET_MQTT_ADDRESS", "ssl://broker.example.com:8883"), .. variables]);
}
