using System.Globalization;
using System.Runtime.InteropServices;

namespace Propeller.Wasm;

/// <summary>One wasm number with its type. A small tagged union, so host calls do not box.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct WasmValue
{
    private readonly long _bits;

    private WasmValue(WasmValueType type, long bits)
    {
        Type = type;
        _bits = bits;
    }

    public WasmValueType Type { get; }

    public static WasmValue FromInt32(int value) => new(WasmValueType.I32, value);

    public static WasmValue FromInt64(long value) => new(WasmValueType.I64, value);

    public static WasmValue FromSingle(float value) => new(WasmValueType.F32, BitConverter.SingleToInt32Bits(value));

    public static WasmValue FromDouble(double value) => new(WasmValueType.F64, BitConverter.DoubleToInt64Bits(value));

    public int AsInt32() => (int)_bits;

    /// <summary>The value as an unsigned 32-bit number: how WASI reads pointers and lengths.</summary>
    public uint AsUInt32() => (uint)_bits;

    public long AsInt64() => _bits;

    public float AsSingle() => BitConverter.Int32BitsToSingle((int)_bits);

    public double AsDouble() => BitConverter.Int64BitsToDouble(_bits);

    /// <summary>
    /// Parses a command-line argument as <paramref name="type"/>, the way wasmtime's <c>--invoke</c> does
    /// (decimal integers, which may be negative; floats in invariant culture).
    /// </summary>
    public static bool TryParse(string text, WasmValueType type, out WasmValue value)
    {
        var styles = NumberStyles.Float;
        var culture = CultureInfo.InvariantCulture;
        switch (type)
        {
            case WasmValueType.I32 when int.TryParse(text, NumberStyles.Integer, culture, out var i32):
                value = FromInt32(i32);
                return true;
            case WasmValueType.I32 when uint.TryParse(text, NumberStyles.Integer, culture, out var u32):
                value = FromInt32(unchecked((int)u32));
                return true;
            case WasmValueType.I64 when long.TryParse(text, NumberStyles.Integer, culture, out var i64):
                value = FromInt64(i64);
                return true;
            case WasmValueType.I64 when ulong.TryParse(text, NumberStyles.Integer, culture, out var u64):
                value = FromInt64(unchecked((long)u64));
                return true;
            case WasmValueType.F32 when float.TryParse(text, styles, culture, out var f32):
                value = FromSingle(f32);
                return true;
            case WasmValueType.F64 when double.TryParse(text, styles, culture, out var f64):
                value = FromDouble(f64);
                return true;
            default:
                value = default;
                return false;
        }
    }

    /// <summary>The value as wasmtime prints an invocation's result: the plain number.</summary>
    public override string ToString() => Type switch
    {
        WasmValueType.I32 => AsInt32().ToString(CultureInfo.InvariantCulture),
        WasmValueType.I64 => AsInt64().ToString(CultureInfo.InvariantCulture),
        WasmValueType.F32 => AsSingle().ToString("R", CultureInfo.InvariantCulture),
        WasmValueType.F64 => AsDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => _bits.ToString(CultureInfo.InvariantCulture),
    };
}
