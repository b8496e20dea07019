using Propeller.Core.Tasks;

namespace Propeller.Sdk;

/// <summary>
/// Remembers which of a task's state changes were already reported, so that polling the task yields
/// each change once. A manager that keeps no <c>transitions</c> (upstream's) still gets its changes of
/// state reported, stamped with the task's <c>updated_at</c>.
/// </summary>
internal sealed class TransitionCursor
{
    private TaskTransition? _last;
    private TaskState? _lastState;

    /// <summary>The changes in <paramref name="task"/> that came after the last one returned, oldest first.</summary>
    public IReadOnlyList<TaskTransition> Next(PropellerTask task)
    {
        var transitions = task.Transitions;
        if (transitions.Count == 0)
        {
            if (_lastState == task.State)
            {
                return [];
            }

            _lastState = task.State;
            return [new TaskTransition { State = task.State, At = task.UpdatedAt, PropletId = task.PropletId }];
        }

        // The manager keeps the latest 100 changes: if the last one reported has been dropped since,
        // everything kept is new.
        var start = _last is null ? 0 : transitions.FindLastIndex(t => Same(t, _last)) + 1;
        _last = transitions[^1];
        return transitions.GetRange(start, transitions.Count - start);
    }

    private static bool Same(TaskTransition a, TaskTransition b) =>
        a.State == b.State && a.At == b.At && a.PropletId == b.PropletId && a.Reason == b.Reason;
}
