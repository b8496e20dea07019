namespace Propeller.Mqtt.Tests.Support;

/// <summary>Hang guards. They only stop a broken test from hanging the run; nothing asserts on elapsed time.</summary>
internal static class Guard
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static CancellationToken Token() => new CancellationTokenSource(Timeout).Token;

    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting for {what}.", ex);
        }
    }

    public static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting for {what}.", ex);
        }
    }

    /// <summary>Polls a condition that another thread makes true (for state with no event to await).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
