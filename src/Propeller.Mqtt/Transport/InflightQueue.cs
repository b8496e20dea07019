namespace Propeller.Mqtt.Transport;

/// <summary>QoS 1 messages awaiting PUBACK, by packet identifier, in the order they were first queued, because
/// after a reconnect they must be re-sent in that order [MQTT-4.6.0-1]. Not thread-safe.</summary>
internal sealed class InflightQueue<T>
{
    private readonly LinkedList<(ushort PacketId, T Item)> _order = new();
    private readonly Dictionary<ushort, LinkedListNode<(ushort PacketId, T Item)>> _byId = [];

    public int Count => _byId.Count;

    public void Add(ushort packetId, T item) => _byId.Add(packetId, _order.AddLast((packetId, item)));

    public bool TryRemove(ushort packetId, out T item)
    {
        if (_byId.Remove(packetId, out var node))
        {
            _order.Remove(node);
            item = node.Value.Item;
            return true;
        }

        item = default!;
        return false;
    }

    public IEnumerable<(ushort PacketId, T Item)> InOrder() => _order;

    public void Clear()
    {
        _order.Clear();
        _byId.Clear();
    }
}
