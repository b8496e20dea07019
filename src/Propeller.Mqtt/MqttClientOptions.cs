using System.Globalization;
using System.Net;

namespace Propeller.Mqtt;

/// <summary>Settings of an <see cref="MqttClient"/>.</summary>
public sealed record MqttClientOptions
{
    private const string AddressExamples =
        "expected e.g. 'tcp://localhost:1883', 'mqtt://10.0.0.5:1883', 'localhost:1883', 'localhost' or, with TLS, 'ssl://broker.example.com:8883'";

    private const int PlainPort = 1883;

    private const int TlsPort = 8883;

    public required string Host { get; init; }

    public int Port { get; init; } = PlainPort;

    public required string ClientId { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>false asks the broker to keep subscriptions and queue QoS 1 messages while this client is away.</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>Longest silence before a PINGREQ is sent; the link is dropped when the broker does not answer within it.
    /// Zero disables keep-alive.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Published by the broker if this client vanishes without a DISCONNECT.</summary>
    public MqttApplicationMessage? Will { get; init; }

    /// <summary>Largest packet, header included, sent (larger publishes throw <see cref="ArgumentException"/>) or
    /// accepted (larger incoming packets drop the connection).</summary>
    public int MaxPacketSize { get; init; } = 64 * 1024 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Speak TLS to the broker (the certificate files it uses, if any); null: plain TCP.</summary>
    public MqttTlsOptions? Tls { get; init; }

    /// <summary>Parses "tcp://host:port", "mqtt://host:port", "host:port" or "host" (plain MQTT, port 1883), and
    /// "ssl://host:port", "tls://host:port" or "mqtts://host:port" (MQTT over TLS, port 8883), upstream's schemes.
    /// IPv6 literals go in brackets ("[::1]:1883").</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static (string Host, int Port, bool UseTls) ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var rest = address.Trim();
        if (rest.Length == 0)
        {
            throw Invalid(address, "it is empty");
        }

        var useTls = false;
        var schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = rest[..schemeEnd].ToLowerInvariant();
            useTls = scheme switch
            {
                "tcp" or "mqtt" => false,
                "ssl" or "tls" or "mqtts" => true,
                _ => throw Invalid(address, $"scheme '{rest[..schemeEnd]}://' is not supported (tcp:// or mqtt:// for plain MQTT, ssl://, tls:// or mqtts:// for MQTT over TLS)"),
            };

            rest = rest[(schemeEnd + 3)..];
            if (rest.EndsWith('/'))
            {
                rest = rest[..^1];
            }
        }

        string host;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(address, "the IPv6 address has no closing ']'");
            }

            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    throw Invalid(address, $"unexpected '{after}' after the IPv6 address");
                }

                portText = after[1..];
            }

            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                throw Invalid(address, $"'{host}' is not an IPv6 address");
            }
        }
        else
        {
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && rest.IndexOf(':', colon + 1) >= 0)
            {
                throw Invalid(address, "IPv6 addresses must be written in brackets, like [::1]:1883");
            }

            host = colon >= 0 ? rest[..colon] : rest;
            portText = colon >= 0 ? rest[(colon + 1)..] : null;
            if (!IsHostName(host))
            {
                throw Invalid(address, host.Length == 0 ? "the host is missing" : $"'{host}' is not a valid host name");
            }
        }

        var port = useTls ? TlsPort : PlainPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw Invalid(address, $"port '{portText}' is not a number between 1 and 65535");
        }

        return (host, port, useTls);
    }

    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253 || host.StartsWith('.') || host.StartsWith('-'))
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    private static FormatException Invalid(string address, string reason) =>
        new($"Invalid MQTT broker address '{address}': {reason}; {AddressExamples}.");
}
