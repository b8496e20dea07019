namespace Propeller.Mqtt.Client;

/// <summary>What the application has subscribed to, so a reconnect onto a fresh session can restore it. Not
/// thread-safe: the client calls it under its lock.</summary>
internal sealed class SubscriptionRegistry
{
    private readonly Dictionary<string, MqttQos> _filters = new(StringComparer.Ordinal);

    public int Count => _filters.Count;

    public void Set(string filter, MqttQos qos) => _filters[filter] = qos;

    public void Remove(string filter) => _filters.Remove(filter);

    public void Clear() => _filters.Clear();

    public List<KeyValuePair<string, MqttQos>> Snapshot() => [.. _filters];
}
