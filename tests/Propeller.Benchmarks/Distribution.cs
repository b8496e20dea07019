namespace Propeller.Benchmarks;

/// <summary>
/// Samples in order, and their percentiles by the nearest-rank method: the p-th percentile is the smallest
/// sample that at least p % of the samples do not exceed. It is always a value that was measured, never an
/// interpolation between two.
/// </summary>
public sealed class Distribution
{
    private readonly double[] _sorted;

    public Distribution(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _sorted = [.. samples.Order()];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("a distribution needs at least one sample", nameof(samples));
        }
    }

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => Percentile(50);

    /// <param name="percent">Between 0 (exclusive) and 100 (inclusive).</param>
    public double Percentile(double percent)
    {
        if (percent is <= 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile lies in (0, 100]");
        }

        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank, 1, _sorted.Length) - 1];
    }

    /// <summary>"p50 4.10 ms, p99 9.02 ms (n=200)" for samples in milliseconds.</summary>
    public string Describe() => $"p50 {Timing.Format(Median)}, p99 {Timing.Format(Percentile(99))} (n={Count})";
}
