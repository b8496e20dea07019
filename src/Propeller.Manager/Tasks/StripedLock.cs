namespace Propeller.Manager.Tasks;

/// <summary>
/// Serialises changes to one task (an API call and a proplet's result can race) without making
/// unrelated tasks wait on each other: ids hash onto a fixed set of async locks.
/// </summary>
public sealed class StripedLock
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> AcquireAsync(Guid id, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(id.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken);
        return new Releaser(stripe);
    }

    private sealed class Releaser(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
