using Propeller.Core.Tasks;

namespace Propeller.Manager.Tasks;

/// <summary>Every state change goes through here, so each one is kept with its time on the task (<c>transitions</c>).</summary>
public static class TaskHistory
{
    /// <summary>A task restarted many times keeps its most recent steps only.</summary>
    public const int MaxTransitions = 100;

    public static void Enter(this PropellerTask task, TaskState state, DateTime at, string? propletId = null, string? reason = null)
    {
        task.State = state;
        task.UpdatedAt = at;
        task.Transitions.Add(new TaskTransition { State = state, At = at, PropletId = propletId, Reason = reason });
        if (task.Transitions.Count > MaxTransitions)
        {
            task.Transitions.RemoveRange(0, task.Transitions.Count - MaxTransitions);
        }
    }

    /// <summary>When the task began its current wait for a proplet (its last step into Pending).</summary>
    public static DateTime WaitingSince(this PropellerTask task) =>
        task.Transitions.LastOrDefault(t => t.State == TaskState.Pending)?.At ?? task.UpdatedAt;

    /// <summary>When the task entered its current state.</summary>
    public static DateTime InStateSince(this PropellerTask task) =>
        task.Transitions.Count > 0 ? task.Transitions[^1].At : task.UpdatedAt;
}
