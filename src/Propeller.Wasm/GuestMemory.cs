using System.Buffers.Binary;
using System.Text;

namespace Propeller.Wasm;

/// <summary>
/// A guest's linear memory as host functions see it. Every access names a guest pointer and a
/// length, and every access is bounds-checked here, in one place: an out-of-range pointer throws
/// <see cref="GuestMemoryOutOfBoundsException"/> (hosts turn it into an errno such as WASI's FAULT),
/// never reads or writes outside the guest. Little-endian, as wasm is.
/// </summary>
public abstract class GuestMemory
{
    /// <summary>The whole memory as it is now. Memory can grow between host calls; never keep the span.</summary>
    protected abstract Span<byte> Bytes { get; }

    /// <summary>False when the module exports no memory named <c>memory</c> (then every access is out of bounds).</summary>
    public virtual bool IsExported => true;

    /// <summary>The memory's current size in bytes.</summary>
    public int Size => Bytes.Length;

    /// <summary>The <paramref name="length"/> bytes at <paramref name="pointer"/>, checked against the memory's size.</summary>
    public Span<byte> Slice(uint pointer, uint length)
    {
        var bytes = Bytes;
        if ((ulong)pointer + length > (ulong)bytes.Length)
        {
            throw new GuestMemoryOutOfBoundsException(pointer, length, bytes.Length);
        }

        return bytes.Slice((int)pointer, (int)length);
    }

    public byte ReadByte(uint pointer) => Slice(pointer, 1)[0];

    public ushort ReadUInt16(uint pointer) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(pointer, 2));

    public uint ReadUInt32(uint pointer) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(pointer, 4));

    public ulong ReadUInt64(uint pointer) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(pointer, 8));

    public void WriteByte(uint pointer, byte value) => Slice(pointer, 1)[0] = value;

    public void WriteUInt16(uint pointer, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Slice(pointer, 2), value);

    public void WriteUInt32(uint pointer, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Slice(pointer, 4), value);

    public void WriteUInt64(uint pointer, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Slice(pointer, 8), value);

    /// <summary>Decodes UTF-8 text from the guest; invalid sequences throw, so a bad path never becomes a different path.</summary>
    public string ReadUtf8(uint pointer, uint length) => StrictUtf8.GetString(Slice(pointer, length));

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>A guest memory over a managed array: for hosts' unit tests and for tools that prepare memory images.</summary>
public sealed class ArrayGuestMemory(byte[] bytes) : GuestMemory
{
    protected override Span<byte> Bytes => bytes;
}

/// <summary>A host function was given a pointer and length that do not fit in the guest's memory.</summary>
public sealed class GuestMemoryOutOfBoundsException(uint pointer, uint length, int memorySize)
    : Exception($"Guest memory access out of bounds: {length} bytes at 0x{pointer:x8}, memory size {memorySize} bytes.");
