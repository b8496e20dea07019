namespace Propeller.Benchmarks;

/// <summary>How thorough a run is: <c>--quick</c> takes fewer samples so that every group but micro ends within 3 minutes on 2 cores.</summary>
public sealed record BenchSettings(bool Quick)
{
    /// <summary>The quick or the full value of a count (iterations, tasks, rounds).</summary>
    public int Pick(int quick, int full) => Quick ? quick : full;

    public TimeSpan Pick(TimeSpan quick, TimeSpan full) => Quick ? quick : full;
}
