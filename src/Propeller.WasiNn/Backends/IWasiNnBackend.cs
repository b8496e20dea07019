namespace Propeller.WasiNn.Backends;

/// <summary>
/// One way of running models, for one <see cref="GraphEncoding"/> (ONNX Runtime for onnx). Failures
/// are <see cref="WasiNnException"/>s carrying the errno the guest gets.
/// </summary>
public interface IWasiNnBackend
{
    GraphEncoding Encoding { get; }

    /// <summary>A graph from the builders a guest passed to <c>load</c> (ONNX: exactly one, the model's bytes).</summary>
    IWasiNnGraph Load(IReadOnlyList<ReadOnlyMemory<byte>> builders, ExecutionTarget target);

    /// <summary>A graph from a directory, as <c>-S nn-graph=ENCODING::DIR</c> names it (ONNX: DIR/model.onnx).</summary>
    IWasiNnGraph LoadDirectory(string directory, ExecutionTarget target);
}
