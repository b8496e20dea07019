using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Propeller.WasiNn;

/// <summary>
/// How long wasi-nn inferences and model loads take in this process (a proplet's embedded runtime, or
/// propeller-wasm). Nothing is kept unless something listens, e.g. the proplet's <c>GET /metrics</c>.
/// </summary>
public static class WasiNnMetrics
{
    public const string MeterName = "Propeller.WasiNn";

    private static readonly Meter Meter = new(MeterName, typeof(WasiNnMetrics).Assembly.GetName().Version?.ToString(3));

    // From a millisecond (a small model) to half a minute (a large one on few cores).
    private static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly Histogram<double> Compute = Meter.CreateHistogram(
        "propeller.wasi_nn.compute.duration",
        "s",
        "Time of one successful wasi-nn compute (one inference), by graph encoding.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = Bounds });

    private static readonly Histogram<double> Load = Meter.CreateHistogram(
        "propeller.wasi_nn.load.duration",
        "s",
        "Time to load a wasi-nn graph, by encoding and source: guest (load, from the guest's bytes) or directory (-S nn-graph, PROPLET_NN_GRAPHS; once per model and process).",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = Bounds });

    internal static void Computed(GraphEncoding encoding, long startedTimestamp) =>
        Compute.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("encoding", GraphEncodingNames.Name(encoding)));

    /// <param name="source"><c>guest</c> or <c>directory</c>.</param>
    internal static void Loaded(GraphEncoding encoding, string source, long startedTimestamp) =>
        Load.Record(
            Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("encoding", GraphEncodingNames.Name(encoding)),
            new KeyValuePair<string, object?>("source", source));
}
