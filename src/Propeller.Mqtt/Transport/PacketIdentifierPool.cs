namespace Propeller.Mqtt.Transport;

/// <summary>Hands out packet identifiers 1..65535 that are not in use, round-robin so a just-released id is not
/// reused at once (a late PUBACK for the old use would otherwise acknowledge the new one). Not thread-safe: the
/// owner calls it under its own lock.</summary>
internal sealed class PacketIdentifierPool
{
    private readonly bool[] _inUse = new bool[ushort.MaxValue + 1];
    private ushort _last;

    public int Count { get; private set; }

    public bool TryAllocate(out ushort packetId)
    {
        if (Count >= ushort.MaxValue)
        {
            packetId = 0;
            return false;
        }

        do
        {
            _last = _last == ushort.MaxValue ? (ushort)1 : (ushort)(_last + 1);
        }
        while (_inUse[_last]);

        _inUse[_last] = true;
        Count++;
        packetId = _last;
        return true;
    }

    public void Release(ushort packetId)
    {
        if (_inUse[packetId])
        {
            _inUse[packetId] = false;
            Count--;
        }
    }

    public void Clear()
    {
        Array.Clear(_inUse);
        Count = 0;
    }
}
