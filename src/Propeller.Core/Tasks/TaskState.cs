namespace Propeller.Core.Tasks;

/// <summary>A task's lifecycle; the integer values are upstream Propeller's and appear as numbers in JSON.</summary>
public enum TaskState
{
    Pending = 0,
    Scheduled = 1,
    Running = 2,
    Completed = 3,
    Failed = 4,
    Skipped = 5,
    Interrupted = 6,
}

public static class TaskStateExtensions
{
    /// <summary>A task in a final state never changes state again (duplicate or late messages are ignored).</summary>
    public static bool IsFinal(this TaskState state) =>
        state is TaskState.Completed or TaskState.Failed or TaskState.Skipped or TaskState.Interrupted;

    public static bool IsActive(this TaskState state) => state is TaskState.Scheduled or TaskState.Running;
}
