namespace Propeller.Mqtt.Client;

/// <summary>Exponential reconnect delays with jitter, so a fleet of workers cut off by a broker restart does not
/// reconnect in lockstep.</summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;

    public ReconnectBackoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max < min ? min : max;
    }

    /// <summary>The delay before attempt number <paramref name="attempt"/> (0-based): min * 2^attempt capped at max,
    /// then scaled by a random factor in [0.5, 1] but never below min.</summary>
    public TimeSpan GetDelay(int attempt)
    {
        var exponent = Math.Min(attempt, 30);
        var ceiling = Math.Min(_max.TotalMilliseconds, _min.TotalMilliseconds * Math.Pow(2, exponent));
        var jittered = ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5));
        return TimeSpan.FromMilliseconds(Math.Max(_min.TotalMilliseconds, jittered));
    }
}
