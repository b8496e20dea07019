namespace Propeller.Testing;

/// <summary>A real <c>build/propeller-proplet</c> connected to a broker, with the runtime the test chooses.</summary>
public static class PropletProcess
{
    /// <param name="runtime">PROPLET_EXTERNAL_WASM_RUNTIME; null leaves it unset.</param>
    /// <param name="allowedDirs">
    /// PROPLET_ALLOWED_DIRS: the host directories the test's tasks map with <c>--dir</c> or <c>-S nn-graph</c>.
    /// Null leaves it unset, so the proplet allows only its defaults (the repository's fixture/, where it runs,
    /// and PROPLET_NN_GRAPHS' directories), as a proplet nobody configured does.
    /// </param>
    public static ChildProcess Start(
        string mqttAddress,
        string domainId,
        string channelId,
        string propletId,
        string? runtime,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null,
        IReadOnlyList<string>? allowedDirs = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PROPLET_MQTT_ADDRESS"] = mqttAddress,
            ["PROPLET_DOMAIN_ID"] = domainId,
            ["PROPLET_CHANNEL_ID"] = channelId,
            ["PROPLET_CLIENT_ID"] = propletId,
            ["PROPLET_EXTERNAL_WASM_RUNTIME"] = runtime,
            ["PROPLET_LIVELINESS_INTERVAL"] = "1s",
            ["PROPLET_LOG_LEVEL"] = "Debug",
            ["PROPLET_ALLOWED_DIRS"] = allowedDirs is null ? null : string.Join(',', allowedDirs),
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return ChildProcess.Start(Repository.Executable("propeller-proplet"), environment);
    }

    /// <summary>Starts a proplet for <paramref name="manager"/> and waits until the manager lists it alive.</summary>
    public static async Task<ChildProcess> StartForAsync(
        ManagerProcess manager,
        string? runtime,
        string? propletId = null,
        string? mqttAddress = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null,
        IReadOnlyList<string>? allowedDirs = null)
    {
        var id = propletId ?? $"proplet-{Guid.NewGuid():N}";
        var proplet = Start(mqttAddress ?? manager.MqttAddress, manager.DomainId, manager.ChannelId, id, runtime, extraEnvironment, allowedDirs);
        try
        {
            await manager.WaitForAlivePropletAsync(id, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            await proplet.DisposeAsync();
            throw new TimeoutException($"{e.Message}\nProplet log:\n{proplet.Log}");
        }

        return proplet;
    }
}
