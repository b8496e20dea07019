namespace Propeller.Core.Messaging;

/// <summary>
/// Upstream's MQTT topic names. Everything lives under <c>m/{domain_id}/c/{channel_id}</c>;
/// the manager publishes under <c>control/manager/…</c> and proplets under <c>control/proplet/…</c>.
/// </summary>
public sealed class Topics
{
    public Topics(string domainId, string channelId)
    {
        Validate(domainId, "domain_id");
        Validate(channelId, "channel_id");
        Base = $"m/{domainId}/c/{channelId}";
    }

    public string Base { get; }

    public string ManagerStart => $"{Base}/control/manager/start";

    public string ManagerStop => $"{Base}/control/manager/stop";

    public string ManagerDiscover => $"{Base}/control/manager/discover";

    /// <summary>What proplets subscribe to.</summary>
    public string ManagerAll => $"{Base}/control/manager/+";

    public string PropletCreate => $"{Base}/control/proplet/create";

    public string PropletAlive => $"{Base}/control/proplet/alive";

    public string PropletResults => $"{Base}/control/proplet/results";

    public string PropletRunning => $"{Base}/control/proplet/running";

    /// <summary>What the manager subscribes to.</summary>
    public string PropletAll => $"{Base}/control/proplet/+";

    private static void Validate(string id, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"{what} is empty: set it (e.g. MANAGER_DOMAIN_ID / PROPLET_DOMAIN_ID) or leave it unset for the default");
        }

        if (id.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            throw new ArgumentException($"{what} '{id}' contains '/', '+', '#' or NUL, which cannot appear in an MQTT topic level");
        }
    }
}
