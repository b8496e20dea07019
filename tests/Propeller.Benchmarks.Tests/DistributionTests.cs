namespace Propeller.Benchmarks.Tests;

public class DistributionTests
{
    [Fact]
    public void Percentiles_are_measured_samples_by_nearest_rank()
    {
        // Ten samples, given out of order: the p-th percentile is the ceil(p/100 * 10)-th smallest.
        var distribution = new Distribution([7, 1, 10, 3, 5, 2, 9, 4, 8, 6]);

        Assert.Equal(5, distribution.Median);
        Assert.Equal(9, distribution.Percentile(90));
        Assert.Equal(10, distribution.Percentile(99));
        Assert.Equal(10, distribution.Percentile(100));
        Assert.Equal(1, distribution.Percentile(1));
        Assert.Equal(1, distribution.Min);
        Assert.Equal(10, distribution.Max);
        Assert.Equal(10, distribution.Count);
    }

    [Fact]
    public void The_99th_percentile_of_a_hundred_samples_is_the_second_largest()
    {
        var distribution = new Distribution(Enumerable.Range(1, 100).Select(i => (double)i).Reverse());

        Assert.Equal(99, distribution.Percentile(99));
        Assert.Equal(50, distribution.Median);
    }

    [Fact]
    public void A_single_sample_is_every_percentile()
    {
        var distribution = new Distribution([4.2]);

        Assert.Equal(4.2, distribution.Median);
        Assert.Equal(4.2, distribution.Percentile(99));
    }

    [Fact]
    public void No_samples_or_a_percentile_outside_0_to_100_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Distribution([]));
        var distribution = new Distribution([1, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Percentile(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Percentile(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Percentile(double.NaN));
    }

    [Fact]
    public void Describe_gives_p50_p99_and_the_count_in_readable_units()
    {
        var distribution = new Distribution([0.5, 2, 150]);

        Assert.Equal("p50 2.00 ms, p99 150 ms (n=3)", distribution.Describe());
    }
}
