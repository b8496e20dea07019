namespace Propeller.Wasm.Wasi;

/// <summary>
/// Reading a WASI call's arguments by position. Types narrower than i32 (u8, u16) arrive as i32; a value
/// that does not fit is refused with INVAL, as wasmtime's generated bindings do, rather than truncated.
/// </summary>
internal static class WasmArguments
{
    public static uint U32(this ReadOnlySpan<WasmValue> arguments, int index) => arguments[index].AsUInt32();

    public static ulong U64(this ReadOnlySpan<WasmValue> arguments, int index) => unchecked((ulong)arguments[index].AsInt64());

    public static long I64(this ReadOnlySpan<WasmValue> arguments, int index) => arguments[index].AsInt64();

    public static byte U8(this ReadOnlySpan<WasmValue> arguments, int index) =>
        arguments[index].AsUInt32() is var value and <= byte.MaxValue ? (byte)value : throw new WasiErrorException(WasiErrno.Inval);

    public static ushort U16(this ReadOnlySpan<WasmValue> arguments, int index) =>
        arguments[index].AsUInt32() is var value and <= ushort.MaxValue ? (ushort)value : throw new WasiErrorException(WasiErrno.Inval);

    /// <summary>A flags argument; bits outside <paramref name="defined"/> (not in the witx) are refused with INVAL.</summary>
    public static uint Bits(this ReadOnlySpan<WasmValue> arguments, int index, uint defined) =>
        arguments[index].AsUInt32() is var value && (value & ~defined) == 0 ? value : throw new WasiErrorException(WasiErrno.Inval);
}
