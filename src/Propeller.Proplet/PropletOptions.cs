using Propeller.Core.Configuration;
using Propeller.Mqtt;

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

    /// <summary>The largest module fetched from an image_url.</summary>
    public long MaxModuleBytes { get; init; } = 256L * 1024 * 1024;

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
        };
    }
}
