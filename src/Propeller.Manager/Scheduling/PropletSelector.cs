using Propeller.Core.Proplets;
using Propeller.Core.Tasks;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Chooses where a task runs: the proplet it is pinned to, otherwise the least-loaded alive proplet that
/// can run it (wasi-nn and its encodings, room under its max_tasks). When none fits, says why in words the
/// user sees on the waiting task.
/// </summary>
public sealed class PropletSelector(PropletRegistry registry)
{
    public Placement Choose(PropellerTask task)
    {
        var needs = TaskRequirements.From(task.CliArgs);
        var alive = registry.Alive();
        if (task.Pinned && !string.IsNullOrEmpty(task.PropletId))
        {
            var pinned = alive.FirstOrDefault(p => p.Id == task.PropletId);
            if (pinned is null)
            {
                return Placement.Waiting($"the task is pinned to proplet {task.PropletId}, which is not alive; it starts when that proplet connects");
            }

            return Lacks(pinned, needs) is { } lack
                ? Placement.Waiting($"the task is pinned to proplet {task.PropletId}, which cannot run it: it needs {needs.Describe()} and the proplet {lack}; pin it elsewhere (PUT /tasks/{task.Id} with another proplet_id) or start it unpinned")
                : HasRoom(pinned)
                    ? Placement.On(pinned.Id)
                    : Placement.Waiting($"the task is pinned to proplet {task.PropletId}, which runs its maximum of {pinned.Metadata.MaxTasks} tasks; it starts when one ends");
        }

        if (alive.Count == 0)
        {
            return Placement.Waiting("no proplet is alive; the task starts as soon as one connects (start a proplet, or check that it reaches the MQTT broker)");
        }

        var capable = alive.Where(p => Lacks(p, needs) is null).ToList();
        if (capable.Count == 0)
        {
            var what = string.Join("; ", alive.Take(5).Select(p => $"{p.Id} {Lacks(p, needs)}"));
            return Placement.Waiting(
                $"the task needs {needs.Describe()}, which none of the {alive.Count} alive proplet(s) can serve ({what}); " +
                "it starts when a proplet that can joins (e.g. one with PROPLET_RUNTIME=embedded, see docs/wasi-nn.md)");
        }

        var chosen = capable.Where(HasRoom).OrderBy(p => p.TaskCount).ThenBy(p => p.LastAliveAt).FirstOrDefault();
        return chosen is not null
            ? Placement.On(chosen.Id)
            : Placement.Waiting($"all {capable.Count} proplet(s) that can run the task run their maximum number of tasks (max_tasks); it starts when one ends");
    }

    /// <summary>What the proplet lacks for these needs, in words ("serves no wasi-nn"), or null when it has it all.</summary>
    private static string? Lacks(Proplet proplet, TaskRequirements needs)
    {
        if (!needs.NeedsNn)
        {
            return null;
        }

        var served = proplet.Metadata.NnEncodings ?? [];
        if (served.Count == 0)
        {
            return "serves no wasi-nn";
        }

        var missing = needs.NnEncodings.Where(e => !served.Contains(e, StringComparer.OrdinalIgnoreCase)).ToList();
        return missing.Count == 0 ? null : $"serves wasi-nn for {string.Join(", ", served)} only";
    }

    private static bool HasRoom(Proplet proplet) =>
        proplet.Metadata.MaxTasks is not { } max || proplet.TaskCount < max;
}

public sealed record Placement(string? PropletId, string? WaitReason)
{
    public static Placement On(string propletId) => new(propletId, null);

    public static Placement Waiting(string reason) => new(null, reason);
}
