using System.Diagnostics.Metrics;

namespace Propeller.Proplet.Metrics;

/// <summary>
/// The proplet's runs, recorded by <see cref="Tasks.TaskRunner"/> and shown by <see cref="MetricsServer"/> when
/// PROPLET_METRICS_PORT is set (wasi-nn's inference times come from <c>Propeller.WasiNn.WasiNnMetrics</c>).
/// </summary>
public static class PropletMetrics
{
    private static readonly Meter Meter = new("Propeller.Proplet", typeof(PropletMetrics).Assembly.GetName().Version?.ToString(3));

    private static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "propeller.proplet.tasks",
        "{task}",
        "Task runs this proplet ended, by outcome: completed, failed, or stopped (by a stop, a newer attempt or shutdown).");

    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        "propeller.proplet.task.duration",
        "s",
        "Time of one run on this proplet, from its start message to its end (module download included), by outcome.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly UpDownCounter<int> Running = Meter.CreateUpDownCounter<int>(
        "propeller.proplet.tasks.running",
        "{task}",
        "Runs going on on this proplet now.");

    private static readonly string[] Outcomes = ["completed", "failed", "stopped"];

    /// <summary>Puts every series at zero before the first run, so that a scraper's rate() and increase() count that run too.</summary>
    public static void ShowZeros()
    {
        Running.Add(0);
        foreach (var outcome in Outcomes)
        {
            Runs.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void RunStarted() => Running.Add(1);

    /// <param name="outcome">One of <see cref="Outcomes"/>.</param>
    public static void RunEnded(string outcome, TimeSpan elapsed)
    {
        Running.Add(-1);
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        Runs.Add(1, tag);
        RunDuration.Record(elapsed.TotalSeconds, tag);
    }
}
