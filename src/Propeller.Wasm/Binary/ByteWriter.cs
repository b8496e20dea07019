using System.Buffers;

namespace Propeller.Wasm.Binary;

/// <summary>
/// A growing output buffer (rented from the shared pool) with the binary format's encodings. Sized
/// things (sections, function bodies) are written first and prefixed with their size afterwards:
/// <see cref="BeginSized"/> marks the start, <see cref="EndSized"/> moves the content to make room
/// for the LEB128 size.
/// </summary>
internal sealed class ByteWriter : IDisposable
{
    private byte[] _buffer;

    public ByteWriter(int initialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));

    public int Length { get; private set; }

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[Length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteU32(uint value)
    {
        Reserve(5);
        Length += EncodeU32(value, _buffer.AsSpan(Length));
    }

    public void WriteS32(int value)
    {
        Reserve(5);
        var more = true;
        while (more)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            more = !((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0));
            _buffer[Length++] = more ? (byte)(b | 0x80) : b;
        }
    }

    public void WriteName(string name)
    {
        var count = System.Text.Encoding.UTF8.GetByteCount(name);
        WriteU32((uint)count);
        Reserve(count);
        Length += System.Text.Encoding.UTF8.GetBytes(name, _buffer.AsSpan(Length));
    }

    /// <summary>Marks the start of content whose size will precede it.</summary>
    public int BeginSized() => Length;

    /// <summary>Puts the size of everything written since <paramref name="mark"/> in front of it.</summary>
    public void EndSized(int mark)
    {
        var size = (uint)(Length - mark);
        Span<byte> prefix = stackalloc byte[5];
        var prefixLength = EncodeU32(size, prefix);
        Reserve(prefixLength);
        _buffer.AsSpan(mark, (int)size).CopyTo(_buffer.AsSpan(mark + prefixLength));
        prefix[..prefixLength].CopyTo(_buffer.AsSpan(mark));
        Length += prefixLength;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    public static int EncodeU32(uint value, Span<byte> destination)
    {
        var length = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            destination[length++] = value != 0 ? (byte)(b | 0x80) : b;
        }
        while (value != 0);
        return length;
    }

    private void Reserve(int count)
    {
        if (Length + count <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + count));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
