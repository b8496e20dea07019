namespace Propeller.WasiNn;

/// <summary>An element type of a wasi-nn tensor, independent of how a guest numbers it (see <see cref="TensorTypeCode"/>).</summary>
public enum TensorType
{
    F16,
    F32,
    F64,
    U8,
    I32,
    I64,
}

/// <summary>Sizes and names of <see cref="TensorType"/>s.</summary>
public static class TensorTypes
{
    public static int ElementSize(TensorType type) => type switch
    {
        TensorType.U8 => 1,
        TensorType.F16 => 2,
        TensorType.F32 or TensorType.I32 => 4,
        TensorType.F64 or TensorType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static string Name(TensorType type) => type.ToString().ToLowerInvariant();
}

/// <summary>
/// Reads the tensor <c>type</c> field. Two numberings exist: the current one (wasi-nn crate 0.6,
/// Wasmtime ≥ 15) f16 0, f32 1, f64 2, u8 3, i32 4, i64 5, and the older one (crate 0.1–0.5) f16 0,
/// f32 1, u8 2, i32 3. Codes 0, 1, 4 and 5 mean one thing. Codes 2 and 3 are told apart by the bytes
/// per element the guest passed (data length ÷ element count): 2 is f64 at 8 bytes and the old u8 at 1;
/// 3 is u8 at 1 and the old i32 at 4. A tensor with no elements cannot say; it takes the current numbering.
/// </summary>
public static class TensorTypeCode
{
    /// <summary>The type for <paramref name="code"/> (the field's low byte), or null for a code no numbering has.</summary>
    public static TensorType? Decode(byte code, ulong elements, ulong dataBytes)
    {
        ulong? bytesPerElement = elements == 0 || dataBytes % elements != 0 ? null : dataBytes / elements;
        return code switch
        {
            0 => TensorType.F16,
            1 => TensorType.F32,
            2 => bytesPerElement == 1 ? TensorType.U8 : TensorType.F64,
            3 => bytesPerElement == 4 ? TensorType.I32 : TensorType.U8,
            4 => TensorType.I32,
            5 => TensorType.I64,
            _ => null,
        };
    }
}
