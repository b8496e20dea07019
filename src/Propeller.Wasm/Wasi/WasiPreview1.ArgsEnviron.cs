namespace Propeller.Wasm.Wasi;

// args_* and environ_*: the guest first asks for the sizes, allocates, then asks for the strings. Both are
// laid out the same way: an array of pointers, and a buffer of NUL-terminated strings they point into.
public sealed partial class WasiPreview1
{
    private WasiErrno ArgsSizesGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) =>
        WriteSizes(memory, _arguments, arguments.U32(0), arguments.U32(1));

    private WasiErrno ArgsGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) =>
        WriteStrings(memory, _arguments, arguments.U32(0), arguments.U32(1));

    private WasiErrno EnvironSizesGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) =>
        WriteSizes(memory, _environment, arguments.U32(0), arguments.U32(1));

    private WasiErrno EnvironGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) =>
        WriteStrings(memory, _environment, arguments.U32(0), arguments.U32(1));

    private static WasiErrno WriteSizes(GuestMemory memory, byte[][] strings, uint countPointer, uint sizePointer)
    {
        memory.Slice(countPointer, 4);
        memory.Slice(sizePointer, 4);
        memory.WriteUInt32(countPointer, (uint)strings.Length);
        memory.WriteUInt32(sizePointer, (uint)strings.Sum(text => text.Length));
        return WasiErrno.Success;
    }

    private static WasiErrno WriteStrings(GuestMemory memory, byte[][] strings, uint pointers, uint buffer)
    {
        memory.CheckArray(pointers, (uint)strings.Length, 4);
        memory.Slice(buffer, (uint)strings.Sum(text => text.Length));
        var offset = buffer;
        for (var i = 0; i < strings.Length; i++)
        {
            memory.WriteUInt32(pointers + (uint)(i * 4), offset);
            strings[i].CopyTo(memory.Slice(offset, (uint)strings[i].Length));
            offset += (uint)strings[i].Length;
        }

        return WasiErrno.Success;
    }
}
