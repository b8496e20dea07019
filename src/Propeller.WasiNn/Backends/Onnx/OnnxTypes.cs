using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Propeller.WasiNn.Backends.Onnx;

/// <summary>wasi-nn tensor types as ONNX element types, and how errors describe what a model wants.</summary>
internal static class OnnxTypes
{
    public static TensorElementType ToOnnx(TensorType type) => type switch
    {
        TensorType.F16 => TensorElementType.Float16,
        TensorType.F32 => TensorElementType.Float,
        TensorType.F64 => TensorElementType.Double,
        TensorType.U8 => TensorElementType.UInt8,
        TensorType.I32 => TensorElementType.Int32,
        TensorType.I64 => TensorElementType.Int64,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The wasi-nn name of an ONNX element type, or ONNX's own for types wasi-nn cannot pass.</summary>
    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Float16 => "f16",
        TensorElementType.Float => "f32",
        TensorElementType.Double => "f64",
        TensorElementType.UInt8 => "u8",
        TensorElementType.Int32 => "i32",
        TensorElementType.Int64 => "i64",
        _ => type.ToString().ToLowerInvariant() + " (no wasi-nn tensor type)",
    };

    /// <summary>"f32 [?,3,48,192]": a dimension the model leaves open (symbolic) shows as ?.</summary>
    public static string Describe(NodeMetadata input) =>
        $"{Name(input.ElementDataType)} [{string.Join(",", input.Dimensions.Select(d => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?"))}]";
}
