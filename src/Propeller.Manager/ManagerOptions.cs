using Propeller.Core.Configuration;
using Propeller.Core.Messaging;
using Propeller.Manager.Storage;
using Propeller.Mqtt;

namespace Propeller.Manager;

/// <summary>
/// The manager's settings, read from environment variables (upstream's names; legacy and current
/// spellings both accepted). docs/configuration.md lists each one.
/// </summary>
public sealed record ManagerOptions
{
    public string HttpHost { get; init; } = "localhost";

    public int HttpPort { get; init; } = Defaults.HttpPort;

    /// <summary>An external broker (<c>tcp://host:port</c>); null means the manager hosts its own.</summary>
    public string? MqttAddress { get; init; }

    public string EmbeddedBrokerHost { get; init; } = "127.0.0.1";

    public int EmbeddedBrokerPort { get; init; } = Defaults.MqttPort;

    public string DomainId { get; init; } = Defaults.DomainId;

    public string ChannelId { get; init; } = Defaults.ChannelId;

    public string ClientId { get; init; } = "propeller-manager";

    public string? ClientKey { get; init; }

    public MqttQos MqttQos { get; init; } = MqttQos.AtLeastOnce;

    /// <summary>How long a start or stop may wait for the broker to acknowledge it.</summary>
    public TimeSpan MqttTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string StorageType { get; init; } = "sqlite";

    public string SqlitePath { get; init; } = Path.Combine("data", "propeller.db");

    /// <summary>The Npgsql connection string made from MANAGER_POSTGRES_URL when the store is postgres.</summary>
    public string? PostgresConnection { get; init; }

    public long MaxUploadBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long a proplet that does not report its heartbeat interval (upstream's) counts as alive after its
    /// last heartbeat; ours count for three of their intervals. Also how long a restarted manager waits for the
    /// proplets of running tasks to report in.
    /// </summary>
    public TimeSpan PropletAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a started task may wait for a proplet that can run it before it fails saying what was missing.</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>API keys accepted besides provisioned ones (MANAGER_API_KEYS, comma-separated); kept only as hashes in memory.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>The PEM files of MQTT over TLS (MANAGER_MQTT_TLS_*); null when the broker address is plain MQTT.</summary>
    public MqttTlsFiles? MqttTls { get; init; }

    public static ManagerOptions FromSettings(Settings s)
    {
        var qos = s.GetInt(1, 0, 2, "MANAGER_MQTT_QOS");
        var storage = s.GetOrDefault("sqlite", "MANAGER_STORAGE_TYPE").ToLowerInvariant();
        string? postgres = null;
        // Read whatever the store: a config.toml may carry it for later, and an unread key would count as a typo.
        var postgresUrl = s.Get("MANAGER_POSTGRES_URL");
        switch (storage)
        {
            case "sqlite":
                break;
            case "postgres" or "postgresql":
                storage = "postgres";
                var url = postgresUrl ?? throw new InvalidSettingException(
                    "MANAGER_POSTGRES_URL", "", "postgres://user:password@host:5432/database (MANAGER_STORAGE_TYPE=postgres needs it)");
                try
                {
                    postgres = PostgresConnectionString.Parse(url);
                }
                catch (FormatException e)
                {
                    throw new InvalidSettingException("MANAGER_POSTGRES_URL", "(hidden: it may hold a password)", e.Message);
                }

                break;
            default:
                throw new InvalidSettingException("MANAGER_STORAGE_TYPE", storage, "sqlite (default: a file under data/) or postgres (with MANAGER_POSTGRES_URL)");
        }

        var mqttAddress = s.Get("MANAGER_MQTT_ADDRESS");
        if (mqttAddress is not null)
        {
            try
            {
                MqttClientOptions.ParseAddress(mqttAddress);
            }
            catch (FormatException e)
            {
                throw new InvalidSettingException("MANAGER_MQTT_ADDRESS", mqttAddress, $"tcp://host:port ({e.Message})");
            }
        }

        return new ManagerOptions
        {
            HttpHost = s.GetOrDefault("localhost", "MANAGER_HTTP_HOST"),
            HttpPort = s.GetInt(Defaults.HttpPort, 0, 65535, "MANAGER_HTTP_PORT"),
            MqttAddress = mqttAddress,
            EmbeddedBrokerHost = s.GetOrDefault("127.0.0.1", "MANAGER_EMBEDDED_BROKER_HOST"),
            EmbeddedBrokerPort = s.GetInt(Defaults.MqttPort, 0, 65535, "MANAGER_EMBEDDED_BROKER_PORT"),
            DomainId = s.GetOrDefault(Defaults.DomainId, "MANAGER_DOMAIN_ID", "MANAGER_TENANT_ID"),
            ChannelId = s.GetOrDefault(Defaults.ChannelId, "MANAGER_CHANNEL_ID"),
            ClientId = s.GetOrDefault("propeller-manager", "MANAGER_CLIENT_ID", "MANAGER_ENTITY_ID"),
            ClientKey = s.Get("MANAGER_CLIENT_KEY", "MANAGER_API_KEY"),
            // QoS 2 (upstream's default) is served as 1: start and results are idempotent, so at-least-once suffices.
            MqttQos = qos == 0 ? MqttQos.AtMostOnce : MqttQos.AtLeastOnce,
            MqttTimeout = s.GetDuration(TimeSpan.FromSeconds(30), "MANAGER_MQTT_TIMEOUT"),
            StorageType = storage,
            PostgresConnection = postgres,
            SqlitePath = s.GetOrDefault(Path.Combine("data", "propeller.db"), "MANAGER_SQLITE_PATH"),
            // A module travels inline in one MQTT start message: no larger than one can carry.
            MaxUploadBytes = s.GetInt(64, 1, (int)(StartMessageSize.MaxModuleBytes / (1024 * 1024)), "MANAGER_MAX_UPLOAD_MB") * 1024L * 1024,
            PropletAliveTimeout = s.GetDuration(TimeSpan.FromSeconds(30), "MANAGER_PROPLET_ALIVE_TIMEOUT"),
            PendingTimeout = s.GetDuration(TimeSpan.FromMinutes(10), "MANAGER_PENDING_TIMEOUT"),
            ApiKeys = ParseApiKeys(s.Get("MANAGER_API_KEYS")),
            MqttTls = ReadMqttTls(s, mqttAddress),
        };
    }

    private static List<string> ParseApiKeys(string? value)
    {
        var keys = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (keys.Any(key => key.Length < 16 || key.Any(char.IsWhiteSpace)))
        {
            throw new InvalidSettingException("MANAGER_API_KEYS", "(hidden: it holds secrets)", "comma-separated keys of at least 16 characters without spaces (`openssl rand -hex 32` makes one)");
        }

        return keys;
    }

    private static MqttTlsFiles? ReadMqttTls(Settings s, string? mqttAddress) => MqttTlsFiles.Read(
        s,
        new MqttTlsSettingNames(
            "MANAGER_MQTT_ADDRESS",
            "MANAGER_MQTT_TLS_CA_CERT",
            "MANAGER_MQTT_TLS_CLIENT_CERT",
            "MANAGER_MQTT_TLS_CLIENT_KEY",
            "MANAGER_MQTT_TLS_INSECURE_SKIP_VERIFY"),
        mqttAddress,
        mqttAddress is not null && MqttClientOptions.ParseAddress(mqttAddress).UseTls);
}
