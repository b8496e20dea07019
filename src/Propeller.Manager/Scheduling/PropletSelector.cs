using Propeller.Core.Tasks;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Chooses where a task runs: the proplet it is pinned to, otherwise the alive proplet with the
/// fewest tasks. When no proplet fits, says why in words the user sees on the waiting task.
/// </summary>
public sealed class PropletSelector(PropletRegistry registry)
{
    public Placement Choose(PropellerTask task)
    {
        if (task.Pinned && !string.IsNullOrEmpty(task.PropletId))
        {
            return registry.IsAlive(task.PropletId)
                ? Placement.On(task.PropletId)
                : Placement.Waiting($"the task is pinned to proplet {task.PropletId}, which is not alive; it starts when that proplet connects");
        }

        var chosen = registry.LeastLoadedAlive();
        return chosen is not null
            ? Placement.On(chosen)
            : Placement.Waiting("no proplet is alive; the task starts as soon as one connects (start a proplet, or check that it reaches the MQTT broker)");
    }
}

public sealed record Placement(string? PropletId, string? WaitReason)
{
    public static Placement On(string propletId) => new(propletId, null);

    public static Placement Waiting(string reason) => new(null, reason);
}
