using System.Diagnostics.Metrics;
using Propeller.Core.Tasks;

namespace Propeller.Manager.Metrics;

/// <summary>
/// The manager's measured events, recorded where they happen and shown by <c>GET /metrics</c>
/// (<see cref="Api.MetricsApi"/>). The gauges that read the manager's state are in <see cref="ManagerGauges"/>.
/// </summary>
public static class ManagerMetrics
{
    public const string MeterName = "Propeller.Manager";

    private static readonly Meter Meter = new(MeterName, ManagerVersion.Current);

    /// <summary>Tasks run from seconds to an hour; finer bounds below a second for the small guests.</summary>
    private static readonly Histogram<double> TaskDuration = Meter.CreateHistogram(
        "propeller.task.duration",
        "s",
        "Time from a task's placement on a proplet (its start_time) to its final state, by that state.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly Counter<long> MqttMessages = Meter.CreateCounter<long>(
        "propeller.mqtt.messages",
        "{message}",
        "MQTT messages of the manager's own client: in (from proplets) and out (to proplets, once the broker took them), by kind.");

    /// <summary>A task reached a final state. One that never ran (given up while waiting, stopped before placement) has no duration to record.</summary>
    public static void TaskEnded(PropellerTask task)
    {
        if (task.StartTime != default && task.FinishTime >= task.StartTime)
        {
            TaskDuration.Record((task.FinishTime - task.StartTime).TotalSeconds, new KeyValuePair<string, object?>("state", StateLabel(task.State)));
        }
    }

    /// <param name="kind">The last level of a known topic (<c>alive</c>, <c>results</c>, <c>start</c>…) or <c>other</c>: never the whole topic, so the series stay few.</param>
    public static void MqttMessage(string direction, string kind) =>
        MqttMessages.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A state as a label value: its name in lower case, as <c>GET /tasks?state=</c> accepts it.</summary>
    public static string StateLabel(TaskState state) => state switch
    {
        TaskState.Pending => "pending",
        TaskState.Scheduled => "scheduled",
        TaskState.Running => "running",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        TaskState.Skipped => "skipped",
        TaskState.Interrupted => "interrupted",
        _ => "unknown",
    };
}
