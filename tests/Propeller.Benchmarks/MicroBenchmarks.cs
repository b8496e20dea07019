using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Propeller.Benchmarks.Micro;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// In-process micro figures with BenchmarkDotNet: the MQTT codec, the JSON of a task's messages, the SQLite
/// store's calls. Run in this process (no generated project to build), a short job, allocations counted.
/// </summary>
public static class MicroBenchmarks
{
    public static Task RunAsync(Report report, BenchSettings settings)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(settings.Pick(2, 5))
            .WithIterationCount(settings.Pick(5, 15));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(NullLogger.Instance)
            .WithArtifactsPath(Path.Combine(Repository.BuildDirectory, "benchmarkdotnet"));
        foreach (var summary in BenchmarkRunner.Run([typeof(MqttCodecMicro), typeof(TaskJsonMicro), typeof(TaskStoreMicro)], config))
        {
            foreach (var result in summary.Reports)
            {
                var what = result.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
                if (result.ResultStatistics is not { } statistics)
                {
                    throw new InvalidOperationException($"BenchmarkDotNet measured nothing for '{what}'; its log is under {summary.ResultsDirectoryPath}");
                }

                var allocated = result.GcStats.GetBytesAllocatedPerOperation(result.BenchmarkCase);
                report.Add(
                    what,
                    $"median {Timing.Format(statistics.Median / 1e6)}",
                    $"{(allocated is { } bytes ? $"{bytes:N0} B allocated per call; " : "")}{statistics.N} iterations");
            }
        }

        return Task.CompletedTask;
    }
}
