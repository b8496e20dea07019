using Microsoft.ML.OnnxRuntime;

namespace Propeller.WasiNn.Backends.Onnx;

/// <summary>A loaded ONNX model: its session and what its inputs and outputs are, read once.</summary>
internal sealed class OnnxGraph : IWasiNnGraph
{
    public OnnxGraph(InferenceSession session)
    {
        Session = session;
        InputNames = [.. session.InputNames];
        Inputs = [.. InputNames.Select(name => session.InputMetadata[name])];
        OutputNames = [.. session.OutputNames];
    }

    public GraphEncoding Encoding => GraphEncoding.Onnx;

    public InferenceSession Session { get; }

    public string[] InputNames { get; }

    public NodeMetadata[] Inputs { get; }

    public string[] OutputNames { get; }

    public IWasiNnExecutionContext CreateExecutionContext() => new OnnxExecutionContext(this);

    public void Dispose() => Session.Dispose();
}
