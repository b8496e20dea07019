namespace Propeller.Core.Messaging;

/// <summary>Proplet → manager on <c>control/proplet/alive</c> every liveliness interval.</summary>
public sealed class AliveMessage
{
    public string PropletId { get; set; } = "";

    public string Status { get; set; } = "alive";

    /// <summary>Tasks running on the proplet right now (not in upstream; informative).</summary>
    public int? RunningTasks { get; set; }

    /// <summary>
    /// The tasks the proplet runs or has finished without the broker acknowledging the result yet (not in
    /// upstream). The manager compares it with what it placed there to find starts that never arrived and
    /// runs the proplet lost.
    /// </summary>
    public List<Guid>? Tasks { get; set; }

    /// <summary>The proplet's heartbeat interval (<c>"10s"</c>); it counts as alive for three of them. Not in upstream.</summary>
    public string? LivelinessInterval { get; set; }
}
