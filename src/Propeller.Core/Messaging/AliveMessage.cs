namespace Propeller.Core.Messaging;

/// <summary>Proplet → manager on <c>control/proplet/alive</c> every liveliness interval.</summary>
public sealed class AliveMessage
{
    public string PropletId { get; set; } = "";

    public string Status { get; set; } = "alive";

    /// <summary>Tasks running on the proplet right now (not in upstream; informative).</summary>
    public int? RunningTasks { get; set; }
}
