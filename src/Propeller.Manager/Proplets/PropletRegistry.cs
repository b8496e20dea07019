using System.Collections.Concurrent;
using Propeller.Core.Proplets;

namespace Propeller.Manager.Proplets;

/// <summary>
/// The proplets the manager has heard from. Kept in memory: proplets announce themselves again with
/// every heartbeat, so a restarted manager knows the fleet again within one liveliness interval.
/// </summary>
public sealed class PropletRegistry(ManagerOptions options, TimeProvider time)
{
    private const int AliveHistoryLength = 10;

    private readonly ConcurrentDictionary<string, Entry> _proplets = new(StringComparer.Ordinal);

    /// <summary>Raised when a proplet is heard from after being unknown or offline: waiting tasks may now be placed.</summary>
    public event Action<string>? BecameAvailable;

    public void Announce(string id, string? name, PropletMetadata? metadata)
    {
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        lock (entry)
        {
            entry.Name = string.IsNullOrWhiteSpace(name) ? entry.Name : name;
            entry.Metadata = metadata ?? entry.Metadata;
        }

        Heartbeat(id);
    }

    public void Heartbeat(string id)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        bool wasAvailable;
        lock (entry)
        {
            wasAvailable = IsAlive(entry, now);
            entry.LastAliveAt = now;
            entry.Offline = false;
            entry.AliveHistory.Add(now);
            if (entry.AliveHistory.Count > AliveHistoryLength)
            {
                entry.AliveHistory.RemoveAt(0);
            }
        }

        if (!wasAvailable)
        {
            BecameAvailable?.Invoke(id);
        }
    }

    /// <summary>The proplet said it is going away, or the broker published its will: not alive until it is heard again.</summary>
    public void MarkOffline(string id)
    {
        if (_proplets.TryGetValue(id, out var entry))
        {
            lock (entry)
            {
                entry.Offline = true;
            }
        }
    }

    public void TaskPlaced(string id) => Adjust(id, +1);

    public void TaskEnded(string id) => Adjust(id, -1);

    public bool IsAlive(string id) =>
        _proplets.TryGetValue(id, out var entry) && IsAlive(entry, time.GetUtcNow().UtcDateTime);

    /// <summary>The alive proplet with the fewest tasks, or null when none is alive.</summary>
    public string? LeastLoadedAlive()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _proplets.Values
            .Where(e => IsAlive(e, now))
            .OrderBy(e => e.TaskCount)
            .ThenBy(e => e.LastAliveAt)
            .Select(e => e.Id)
            .FirstOrDefault();
    }

    public Proplet? Get(string id) =>
        _proplets.TryGetValue(id, out var entry) ? Snapshot(entry, time.GetUtcNow().UtcDateTime) : null;

    public IReadOnlyList<Proplet> List()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return [.. _proplets.Values.Select(e => Snapshot(e, now)).OrderBy(p => p.Id, StringComparer.Ordinal)];
    }

    private void Adjust(string id, int delta)
    {
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        lock (entry)
        {
            entry.TaskCount = Math.Max(0, entry.TaskCount + delta);
        }
    }

    private bool IsAlive(Entry entry, DateTime now) =>
        !entry.Offline && entry.LastAliveAt != default && now - entry.LastAliveAt < options.PropletAliveTimeout;

    private Proplet Snapshot(Entry entry, DateTime now)
    {
        lock (entry)
        {
            return new Proplet
            {
                Id = entry.Id,
                Name = entry.Name,
                TaskCount = entry.TaskCount,
                Alive = IsAlive(entry, now),
                AliveHistory = [.. entry.AliveHistory],
                LastAliveAt = entry.LastAliveAt,
                Metadata = entry.Metadata,
            };
        }
    }

    private sealed class Entry(string id)
    {
        public string Id { get; } = id;

        public string Name { get; set; } = id;

        public PropletMetadata Metadata { get; set; } = new();

        public int TaskCount { get; set; }

        public DateTime LastAliveAt { get; set; }

        public bool Offline { get; set; }

        public List<DateTime> AliveHistory { get; } = [];
    }
}
