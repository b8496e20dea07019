using Propeller.Core.Tasks;
using Propeller.Sdk;

namespace Propeller.Cli.Tests;

/// <summary>
/// What <c>tasks watch</c> prints from successive answers, including answers a running manager of
/// ours does not give here: upstream's tasks without <c>transitions</c>, and a history trimmed to its
/// latest 100 changes between two polls.
/// </summary>
public sealed class TransitionCursorTests
{
    private static readonly DateTime T0 = new(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Each_change_is_returned_once_across_polls()
    {
        var cursor = new TransitionCursor();
        var task = new PropellerTask();
        Add(task, TaskState.Pending, 0);

        var first = cursor.Next(task);
        var again = cursor.Next(task);
        Add(task, TaskState.Scheduled, 1);
        Add(task, TaskState.Running, 2);
        var then = cursor.Next(task);

        Assert.Equal([TaskState.Pending], first.Select(t => t.State));
        Assert.Empty(again);
        Assert.Equal([TaskState.Scheduled, TaskState.Running], then.Select(t => t.State));
    }

    [Fact]
    public void A_manager_without_transitions_has_its_changes_of_state_reported_with_updated_at()
    {
        var cursor = new TransitionCursor();
        var task = new PropellerTask { State = TaskState.Running, UpdatedAt = T0, PropletId = "p1" };

        var first = cursor.Next(task);
        var same = cursor.Next(task);
        task.State = TaskState.Completed;
        task.UpdatedAt = T0.AddSeconds(3);
        var last = cursor.Next(task);

        var running = Assert.Single(first);
        Assert.Equal((TaskState.Running, T0, "p1"), (running.State, running.At, running.PropletId));
        Assert.Empty(same);
        Assert.Equal(T0.AddSeconds(3), Assert.Single(last).At);
    }

    [Fact]
    public void When_the_last_change_seen_was_trimmed_away_everything_kept_is_new()
    {
        var cursor = new TransitionCursor();
        var task = new PropellerTask();
        Add(task, TaskState.Pending, 0);
        cursor.Next(task);

        task.Transitions.Clear();
        Add(task, TaskState.Pending, 5, "proplet p1 lost");
        Add(task, TaskState.Scheduled, 6);

        Assert.Equal(["proplet p1 lost", null], cursor.Next(task).Select(t => t.Reason));
    }

    [Fact]
    public void A_repeated_state_with_a_new_time_is_a_new_change()
    {
        var cursor = new TransitionCursor();
        var task = new PropellerTask();
        Add(task, TaskState.Pending, 0);
        Add(task, TaskState.Scheduled, 1);
        cursor.Next(task);

        Add(task, TaskState.Pending, 2, "retry 1 of 2");
        Add(task, TaskState.Scheduled, 3);

        Assert.Equal([T0.AddSeconds(2), T0.AddSeconds(3)], cursor.Next(task).Select(t => t.At));
    }

    private static void Add(PropellerTask task, TaskState state, int second, string? reason = null)
    {
        task.State = state;
        task.Transitions.Add(new TaskTransition { State = state, At = T0.AddSeconds(second), Reason = reason });
    }
}
