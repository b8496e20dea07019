using Propeller.Core.Configuration;
using Propeller.Mqtt;
using Propeller.Proplet.Runtimes;
using Propeller.WasiNn;

namespace Propeller.Proplet;

/// <summary>The proplet's settings from environment variables (upstream's names, legacy and current).</summary>
public sealed record PropletOptions
{
    public string MqttAddress { get; init; } = Defaults.MqttAddress;

    public string DomainId { get; init; } = Defaults.DomainId;

    public string ChannelId { get; init; } = Defaults.ChannelId;

    /// <summary>The proplet's identity: its MQTT client id and the <c>proplet_id</c> tasks are addressed to.</summary>
    public required string ClientId { get; init; }

    public string? ClientKey { get; init; }

    public string Name { get; init; } = Environment.MachineName;

    public MqttQos MqttQos { get; init; } = MqttQos.AtLeastOnce;

    public TimeSpan LivelinessInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The value of PROPLET_EXTERNAL_WASM_RUNTIME: a command on PATH or a path; null when unset.</summary>
    public string? ExternalWasmRuntime { get; init; }

    /// <summary>How much of a task's standard output becomes its results; the rest is cut with a marker.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    /// <summary>Which runtime runs tasks: PROPLET_RUNTIME.</summary>
    public RuntimeMode Runtime { get; init; } = RuntimeMode.Auto;

    /// <summary>A run's deadline when its task sets no <c>timeout</c>: PROPLET_TASK_TIMEOUT.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The most linear memory an embedded run may have: PROPLET_MAX_MEMORY_MB.</summary>
    public ulong MaxMemoryBytes { get; init; } = 1024UL * 1024 * 1024;

    /// <summary>Embedded runs executing at once (engine worker threads): PROPLET_EMBEDDED_WORKERS.</summary>
    public int EmbeddedWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Graphs loaded at start-up for every embedded task's <c>load_by_name</c>: PROPLET_NN_GRAPHS (<c>onnx::/dir</c>, comma-separated).</summary>
    public IReadOnlyList<GraphSpec> NnGraphs { get; init; } = [];

    /// <summary>Threads one wasi-nn inference may use (0: one per core): PROPLET_NN_THREADS.</summary>
    public int NnThreads { get; init; }

    /// <summary>The graph encodings to report instead of the runtime's own (PROPLET_NN_ENCODINGS), e.g. for a custom wasmtime build.</summary>
    public IReadOnlyList<string>? NnEncodings { get; init; }

    /// <summary>How many tasks it runs at once (PROPLET_MAX_TASKS); the manager places no more. Null: no limit.</summary>
    public int? MaxTasks { get; init; }

    /// <summary>Where <c>GET /metrics</c> listens (PROPLET_METRICS_PORT); null: no metrics listener.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>The address the metrics listener binds (PROPLET_METRICS_HOST): an IP address or <c>localhost</c>.</summary>
    public string MetricsHost { get; init; } = "127.0.0.1";

    /// <summary>The largest module fetched from an image_url.</summary>
    public long MaxModuleBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The PEM files of MQTT over TLS (PROPLET_MQTT_TLS_*); null when the broker address is plain MQTT.</summary>
    public MqttTlsFiles? MqttTls { get; init; }

    /// <summary>
    /// The host directories a task may map (<c>--dir</c>) or load graphs from (<c>-S nn-graph</c>):
    /// PROPLET_ALLOWED_DIRS, made absolute against the working directory. Null when unset: then
    /// <see cref="AllowedDirectories"/> allows the proplet's own fixture and model directories.
    /// </summary>
    public IReadOnlyList<string>? AllowedDirs { get; init; }

    public static PropletOptions FromSettings(Settings s)
    {
        var address = s.GetOrDefault(Defaults.MqttAddress, "PROPLET_MQTT_ADDRESS");
        try
        {
            MqttClientOptions.ParseAddress(address);
        }
        catch (FormatException e)
        {
            throw new InvalidSettingException("PROPLET_MQTT_ADDRESS", address, $"tcp://host:port ({e.Message})");
        }

        return new PropletOptions
        {
            MqttAddress = address,
            DomainId = s.GetOrDefault(Defaults.DomainId, "PROPLET_DOMAIN_ID", "PROPLET_TENANT_ID"),
            ChannelId = s.GetOrDefault(Defaults.ChannelId, "PROPLET_CHANNEL_ID"),
            // Without a configured id a proplet is a new one each start; provisioning gives it a lasting one.
            ClientId = s.Get("PROPLET_CLIENT_ID", "PROPLET_ENTITY_ID") ?? $"proplet-{Guid.NewGuid()}",
            ClientKey = s.Get("PROPLET_CLIENT_KEY", "PROPLET_API_KEY"),
            Name = s.GetOrDefault(Environment.MachineName, "PROPLET_NAME"),
            MqttQos = s.GetInt(1, 0, 2, "PROPLET_MQTT_QOS") == 0 ? MqttQos.AtMostOnce : MqttQos.AtLeastOnce,
            LivelinessInterval = s.GetDuration(TimeSpan.FromSeconds(10), "PROPLET_LIVELINESS_INTERVAL"),
            ExternalWasmRuntime = s.Get("PROPLET_EXTERNAL_WASM_RUNTIME", "EXTERNAL_WASM_RUNTIME"),
            MaxOutputBytes = s.GetInt(1024 * 1024, 1024, 256 * 1024 * 1024, "PROPLET_MAX_OUTPUT_BYTES"),
            Runtime = ParseRuntime(s.Get("PROPLET_RUNTIME")),
            TaskTimeout = s.GetDuration(TimeSpan.FromSeconds(300), "PROPLET_TASK_TIMEOUT"),
            MaxMemoryBytes = (ulong)s.GetInt(1024, 1, 4096, "PROPLET_MAX_MEMORY_MB") * 1024 * 1024,
            EmbeddedWorkers = s.GetInt(Math.Max(1, Environment.ProcessorCount), 1, 256, "PROPLET_EMBEDDED_WORKERS"),
            NnGraphs = ParseGraphs(s.Get("PROPLET_NN_GRAPHS")),
            NnThreads = s.GetInt(0, 0, 256, "PROPLET_NN_THREADS"),
            NnEncodings = ParseEncodings(s.Get("PROPLET_NN_ENCODINGS")),
            MaxTasks = s.Get("PROPLET_MAX_TASKS") is null ? null : s.GetInt(0, 1, 100_000, "PROPLET_MAX_TASKS"),
            MetricsPort = s.Get("PROPLET_METRICS_PORT") is null ? null : s.GetInt(0, 1, 65535, "PROPLET_METRICS_PORT"),
            MetricsHost = ParseMetricsHost(s.Get("PROPLET_METRICS_HOST")),
            MqttTls = ReadMqttTls(s, address),
            AllowedDirs = ParseAllowedDirs(s.Get("PROPLET_ALLOWED_DIRS")),
        };
    }

    private static MqttTlsFiles? ReadMqttTls(Settings s, string address) => MqttTlsFiles.Read(
        s,
        new MqttTlsSettingNames(
            "PROPLET_MQTT_ADDRESS",
            "PROPLET_MQTT_TLS_CA_CERT",
            "PROPLET_MQTT_TLS_CLIENT_CERT",
            "PROPLET_MQTT_TLS_CLIENT_KEY",
            "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY"),
        address,
        MqttClientOptions.ParseAddress(address).UseTls);

    private static IReadOnlyList<GraphSpec> ParseGraphs(string? value)
    {
        try
        {
            return GraphSpec.ParseList(value);
        }
        catch (FormatException e)
        {
            throw new InvalidSettingException("PROPLET_NN_GRAPHS", value!, $"ENCODING::DIR[,ENCODING::DIR…] ({e.Message})");
        }
    }

    private static List<string>? ParseEncodings(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var names = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!GraphEncodingNames.TryParse(name, out _))
            {
                throw new InvalidSettingException("PROPLET_NN_ENCODINGS", value, "a comma-separated list of onnx, openvino, tensorflow, pytorch, tensorflowlite");
            }
        }

        return [.. names.Select(name => name.ToLowerInvariant())];
    }

    /// <summary>An address to bind, not a name to resolve: a listener on "every interface" must be asked for explicitly (0.0.0.0).</summary>
    private static string ParseMetricsHost(string? value) => value switch
    {
        null => "127.0.0.1",
        "localhost" => value,
        _ when System.Net.IPAddress.TryParse(value, out _) => value,
        _ => throw new InvalidSettingException("PROPLET_METRICS_HOST", value, "an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), or localhost"),
    };

    private static RuntimeMode ParseRuntime(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => RuntimeMode.Auto,
        "embedded" => RuntimeMode.Embedded,
        "host" => RuntimeMode.Host,
        _ => throw new InvalidSettingException("PROPLET_RUNTIME", value, "embedded, host or auto"),
    };

    private static List<string>? ParseAllowedDirs(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var directories = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (directories.Length == 0)
        {
            throw new InvalidSettingException("PROPLET_ALLOWED_DIRS", value, "a comma-separated list of host directories, e.g. /home/proplet/fixture,/srv/models");
        }

        return [.. directories.Select(directory => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)))];
    }
}
