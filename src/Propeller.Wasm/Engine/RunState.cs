namespace Propeller.Wasm.Engine;

/// <summary>What the host-call trampoline needs to know about the run in progress on this thread.</summary>
internal sealed class RunState(JscContext context) : IDisposable
{
    public JscContext Context { get; } = context;

    /// <summary>The host functions linked into this run, by their JavaScript function object.</summary>
    public Dictionary<IntPtr, HostFunction> ByFunction { get; } = [];

    public GuestMemory Memory { get; set; } = NoGuestMemory.Instance;

    /// <summary>The exception a host function threw; the guest unwinds and the runner rethrows it.</summary>
    public Exception? HostFailure { get; set; }

    public string? FailedFunction { get; set; }

    /// <summary>Values kept alive for the run's duration.</summary>
    public List<IntPtr> Protected { get; } = [];

    public void Dispose()
    {
        (Memory as IDisposable)?.Dispose();
        foreach (var value in Protected)
        {
            Context.Unprotect(value);
        }

        Protected.Clear();
    }
}
