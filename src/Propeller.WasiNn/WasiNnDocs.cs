namespace Propeller.WasiNn;

/// <summary>What to tell a user whose model this process cannot run (the same words in errors and logs).</summary>
internal static class WasiNnDocs
{
    public static string NoBackend(GraphEncoding encoding) => encoding switch
    {
        GraphEncoding.OpenVino =>
            "the embedded runtime has no OpenVINO backend; run the task on a proplet whose external runtime is wasmtime with OpenVINO (the Docker image), or convert the model to ONNX (see docs/wasi-nn.md)",
        _ => $"no {GraphEncodingNames.Name(encoding)} backend is built in; the embedded runtime runs onnx models (see docs/wasi-nn.md)",
    };
}
