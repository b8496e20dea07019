using System.Runtime.InteropServices;
using Propeller.Benchmarks;

// Usage: propeller-benchmarks [embedded|wasi-nn|reliability]   (default: all). Prints a Markdown table for docs/benchmarks.md.
var which = args.Length > 0 ? args[0] : "all";
var report = new Report();
Console.Error.WriteLine($"# Propeller benchmarks on {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
if (which is "all" or "embedded")
{
    await EmbeddedRuntimeBenchmarks.RunAsync(report);
}

if (which is "all" or "wasi-nn")
{
    await WasiNnBenchmarks.RunAsync(report);
}

if (which is "all" or "reliability")
{
    await ReliabilityBenchmarks.RunAsync(report);
}

Console.WriteLine(report.ToMarkdown());
