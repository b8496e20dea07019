namespace Propeller.WasiNn.Backends;

/// <summary>One inference's inputs and outputs over a graph (<c>init_execution_context</c>).</summary>
public interface IWasiNnExecutionContext : IDisposable
{
    /// <summary>Checks <paramref name="tensor"/> against the model's input <paramref name="index"/> and copies it.</summary>
    void SetInput(uint index, TensorInput tensor);

    void Compute();

    /// <summary>Output <paramref name="index"/> of the last <see cref="Compute"/>, valid until the next one.</summary>
    ReadOnlySpan<byte> GetOutput(uint index);
}
