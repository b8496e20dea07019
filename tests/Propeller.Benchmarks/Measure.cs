using System.Diagnostics;

namespace Propeller.Benchmarks;

/// <summary>Times repeated runs and reports the median and the 90th percentile (a median resists a noisy, shared machine).</summary>
public static class Measure
{
    public static async Task<Timing> RepeatAsync(int warmups, int iterations, Func<Task> action)
    {
        for (var i = 0; i < warmups; i++)
        {
            await action();
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var distribution = new Distribution(samples);
        return new Timing(distribution.Median, distribution.Percentile(90), iterations);
    }
}

/// <summary>Milliseconds.</summary>
public readonly record struct Timing(double Median, double P90, int Iterations)
{
    public override string ToString() => $"median {Format(Median)}, p90 {Format(P90)} (n={Iterations})";

    public static string Format(double milliseconds) => milliseconds switch
    {
        < 0.01 => $"{milliseconds * 1000:0.00} µs",
        < 1 => $"{milliseconds * 1000:0} µs",
        < 100 => $"{milliseconds:0.00} ms",
        _ => $"{milliseconds:0} ms",
    };
}
