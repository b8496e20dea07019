namespace Propeller.WasiNn.Backends;

/// <summary>
/// A loaded model. A named graph is shared by every task on a proplet at once, so
/// <see cref="CreateExecutionContext"/> and the contexts' <c>Compute</c> must be safe to call from
/// several threads; one context is only used by one thread at a time.
/// </summary>
public interface IWasiNnGraph : IDisposable
{
    /// <summary>The format the model was loaded from (labels wasi-nn's metrics).</summary>
    GraphEncoding Encoding { get; }

    IWasiNnExecutionContext CreateExecutionContext();
}
