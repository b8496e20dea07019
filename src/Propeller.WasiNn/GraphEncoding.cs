namespace Propeller.WasiNn;

/// <summary>wasi-nn's <c>graph_encoding</c>: the format of a model's bytes.</summary>
public enum GraphEncoding
{
    OpenVino = 0,
    Onnx = 1,
    TensorFlow = 2,
    PyTorch = 3,
    TensorFlowLite = 4,
    Autodetect = 5,
}

/// <summary>The names <c>-S nn-graph=ENCODING::DIR</c> and <c>PROPLET_NN_GRAPHS</c> use for encodings.</summary>
public static class GraphEncodingNames
{
    public static bool TryParse(string name, out GraphEncoding encoding)
    {
        switch (name.ToLowerInvariant())
        {
            case "onnx": encoding = GraphEncoding.Onnx; return true;
            case "openvino": encoding = GraphEncoding.OpenVino; return true;
            case "tensorflow": encoding = GraphEncoding.TensorFlow; return true;
            case "pytorch": encoding = GraphEncoding.PyTorch; return true;
            case "tensorflowlite": encoding = GraphEncoding.TensorFlowLite; return true;
            default: encoding = default; return false;
        }
    }

    public static string Name(GraphEncoding encoding) => encoding switch
    {
        GraphEncoding.OpenVino => "openvino",
        GraphEncoding.Onnx => "onnx",
        GraphEncoding.TensorFlow => "tensorflow",
        GraphEncoding.PyTorch => "pytorch",
        GraphEncoding.TensorFlowLite => "tensorflowlite",
        GraphEncoding.Autodetect => "autodetect",
        _ => $"encoding {(int)encoding}",
    };
}
