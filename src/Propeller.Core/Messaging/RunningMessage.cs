namespace Propeller.Core.Messaging;

/// <summary>
/// Proplet → manager on <c>control/proplet/running</c> when a run has really begun (the module was
/// fetched and handed to the runtime): Scheduled becomes Running. Not in upstream, whose tasks never
/// show Scheduled; a manager that never gets it still takes the result.
/// </summary>
public sealed class RunningMessage
{
    public Guid TaskId { get; set; }

    public string PropletId { get; set; } = "";

    /// <summary>The placement this run belongs to (<see cref="StartMessage.Attempt"/>).</summary>
    public int? Attempt { get; set; }
}
