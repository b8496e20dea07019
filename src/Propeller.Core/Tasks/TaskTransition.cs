namespace Propeller.Core.Tasks;

/// <summary>
/// One step of a task's life, kept in order on the task (<c>transitions</c>; not in upstream) so a user
/// can see when it was scheduled, confirmed running, retried or lost, and why.
/// </summary>
public sealed class TaskTransition
{
    public TaskState State { get; set; }

    public DateTime At { get; set; }

    /// <summary>The proplet involved (scheduled on, ran on, lost).</summary>
    public string? PropletId { get; set; }

    /// <summary>Why, when the state alone does not say it (waiting reason, retry, lost proplet).</summary>
    public string? Reason { get; set; }
}
