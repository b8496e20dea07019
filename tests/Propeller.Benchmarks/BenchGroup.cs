namespace Propeller.Benchmarks;

/// <summary>A set of figures measured together, with its own part of docs/benchmarks.md (between its markers).</summary>
public sealed record BenchGroup(string Name, bool InQuick, Func<Report, BenchSettings, Task> RunAsync)
{
    /// <summary>Every group, in the order a full run takes them.</summary>
    public static IReadOnlyList<BenchGroup> All { get; } =
    [
        new("embedded", true, EmbeddedRuntimeBenchmarks.RunAsync),
        new("wasi-nn", true, WasiNnBenchmarks.RunAsync),
        new("reliability", true, ReliabilityBenchmarks.RunAsync),
        new("roundtrip", true, RoundTripBenchmarks.RunAsync),
        new("mqtt", true, MqttBenchmarks.RunAsync),
        new("scale", true, ScaleBenchmarks.RunAsync),
        new("footprint", true, FootprintBenchmarks.RunAsync),
        new("micro", false, MicroBenchmarks.RunAsync),
    ];
}
