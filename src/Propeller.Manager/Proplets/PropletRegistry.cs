using System.Collections.Concurrent;
using Propeller.Core.Configuration;
using Propeller.Core.Proplets;

namespace Propeller.Manager.Proplets;

/// <summary>
/// The proplets the manager has heard from, kept in memory: proplets announce themselves again when the
/// manager asks (<c>control/manager/discover</c>) and on every reconnect, so a restarted manager knows the
/// fleet again within one heartbeat. A proplet is alive while its last heartbeat is younger than three of
/// its intervals and its connection has not dropped (the broker's will message).
/// </summary>
public sealed class PropletRegistry(ManagerOptions options, TimeProvider time)
{
    private const int AliveHistoryLength = 10;
    private const int HeartbeatsPerLife = 3;

    private readonly ConcurrentDictionary<string, Entry> _proplets = new(StringComparer.Ordinal);
    private readonly Lock _link = new();
    private bool _listening;
    private DateTime _listeningSince;
    private DateTime _deafSince;

    /// <summary>Raised when a proplet may take a task it could not before: it appeared, came back, or a task on it ended.</summary>
    public event Action<string>? BecameAvailable;

    public void Announce(string id, string? name, PropletMetadata? metadata)
    {
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        lock (entry)
        {
            entry.Name = string.IsNullOrWhiteSpace(name) ? entry.Name : name;
            entry.Metadata = metadata ?? entry.Metadata;
        }

        Heartbeat(id, metadata?.LivelinessInterval);
    }

    /// <param name="interval">The proplet's heartbeat interval as it reports it (<c>"10s"</c>); null keeps what is known.</param>
    public void Heartbeat(string id, string? interval = null)
    {
        var now = Now;
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        bool wasAvailable;
        lock (entry)
        {
            wasAvailable = IsAlive(entry, now);
            if (Duration.TryParse(interval, out var parsed) && parsed > TimeSpan.Zero)
            {
                entry.AliveTimeout = parsed * HeartbeatsPerLife;
            }

            entry.LastAliveAt = now;
            entry.OfflineReason = null;
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
    public void MarkOffline(string id, string reason)
    {
        if (_proplets.TryGetValue(id, out var entry))
        {
            lock (entry)
            {
                entry.OfflineReason = reason;
            }
        }
    }

    /// <summary>
    /// The manager's own link to the broker came up or went down. Silence is counted only while the manager
    /// can hear: a broker outage is not every proplet's death, so after a reconnect each proplet gets its full
    /// alive timeout again, and while the link is down nobody's silence grows.
    /// </summary>
    public void Listening(bool connected)
    {
        lock (_link)
        {
            _listening = connected;
            if (connected)
            {
                _listeningSince = Now;
            }
            else
            {
                _deafSince = Now;
            }
        }
    }

    /// <summary>How long the manager has been connected to the broker without a break (zero while it is not).</summary>
    public TimeSpan ListeningFor
    {
        get
        {
            lock (_link)
            {
                return _listening ? Now - _listeningSince : TimeSpan.Zero;
            }
        }
    }

    public void TaskPlaced(string id) => Adjust(id, +1);

    public void TaskEnded(string id)
    {
        Adjust(id, -1);
        BecameAvailable?.Invoke(id);
    }

    /// <summary>Sets every proplet's task count from the store (the truth after a restart, and a correction for any drift).</summary>
    public void SyncTaskCounts(IReadOnlyDictionary<string, int> activeTasks)
    {
        foreach (var (id, count) in activeTasks)
        {
            var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
            lock (entry)
            {
                entry.TaskCount = count;
            }
        }

        foreach (var entry in _proplets.Values.Where(e => !activeTasks.ContainsKey(e.Id)))
        {
            lock (entry)
            {
                entry.TaskCount = 0;
            }
        }
    }

    public bool IsAlive(string id) =>
        _proplets.TryGetValue(id, out var entry) && IsAlive(entry, Now);

    /// <summary>True once the proplet has been heard from since the manager started.</summary>
    public bool IsKnown(string id) =>
        _proplets.TryGetValue(id, out var entry) && entry.LastAliveAt != default;

    /// <summary>Why a proplet is not alive, in words for a task's error; null when it is alive.</summary>
    public string? WhyNotAlive(string id)
    {
        var now = Now;
        if (!_proplets.TryGetValue(id, out var entry) || entry.LastAliveAt == default)
        {
            return "it has not reported in since the manager started";
        }

        lock (entry)
        {
            if (entry.OfflineReason is { } reason)
            {
                return reason;
            }

            var silent = Silence(entry, now);
            return silent < AliveTimeout(entry)
                ? null
                : $"no heartbeat for {silent.TotalSeconds:0.#} s (a proplet counts as alive for {AliveTimeout(entry).TotalSeconds:0.#} s after its last one)";
        }
    }

    public Proplet? Get(string id) =>
        _proplets.TryGetValue(id, out var entry) ? Snapshot(entry, Now) : null;

    public IReadOnlyList<Proplet> List()
    {
        var now = Now;
        return [.. _proplets.Values.Select(e => Snapshot(e, now)).OrderBy(p => p.Id, StringComparer.Ordinal)];
    }

    /// <summary>The alive proplets, as the scheduler compares them.</summary>
    public IReadOnlyList<Proplet> Alive()
    {
        var now = Now;
        return [.. _proplets.Values.Where(e => IsAlive(e, now)).Select(e => Snapshot(e, now))];
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private void Adjust(string id, int delta)
    {
        var entry = _proplets.GetOrAdd(id, static key => new Entry(key));
        lock (entry)
        {
            entry.TaskCount = Math.Max(0, entry.TaskCount + delta);
        }
    }

    /// <summary>Three heartbeat intervals as the proplet reports them; MANAGER_PROPLET_ALIVE_TIMEOUT for proplets that do not say (upstream's).</summary>
    private TimeSpan AliveTimeout(Entry entry) => entry.AliveTimeout ?? options.PropletAliveTimeout;

    private bool IsAlive(Entry entry, DateTime now) =>
        entry.OfflineReason is null && entry.LastAliveAt != default && Silence(entry, now) < AliveTimeout(entry);

    /// <summary>How long the proplet has been silent while the manager could hear it.</summary>
    private TimeSpan Silence(Entry entry, DateTime now)
    {
        lock (_link)
        {
            var heard = entry.LastAliveAt > _listeningSince ? entry.LastAliveAt : _listeningSince;
            var until = _listening ? now : _deafSince;
            return until > heard ? until - heard : TimeSpan.Zero;
        }
    }

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

        /// <summary>Set when the proplet said goodbye or its will arrived; cleared by its next heartbeat.</summary>
        public string? OfflineReason { get; set; }

        public TimeSpan? AliveTimeout { get; set; }

        public List<DateTime> AliveHistory { get; } = [];
    }
}
