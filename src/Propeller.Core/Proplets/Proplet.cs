namespace Propeller.Core.Proplets;

/// <summary>A worker as the REST API shows it (upstream's field names, legacy and current).</summary>
public sealed class Proplet
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Tasks the manager has placed on this proplet that have not ended yet.</summary>
    public int TaskCount { get; set; }

    public bool Alive { get; set; }

    /// <summary>Most recent heartbeats, newest last (legacy upstream field; bounded).</summary>
    public List<DateTime> AliveHistory { get; set; } = [];

    public DateTime LastAliveAt { get; set; }

    public PropletMetadata Metadata { get; set; } = new();
}
