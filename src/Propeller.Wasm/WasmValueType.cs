namespace Propeller.Wasm;

/// <summary>
/// Wasm value types, numbered as in the binary format. Host functions and invocations carry the four
/// number types only; the others appear in module signatures, which the engine reads and refuses to call.
/// </summary>
public enum WasmValueType : byte
{
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
}
