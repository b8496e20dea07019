using System.Text;

namespace Propeller.Wasm.Binary;

/// <summary>
/// Reads the primitive encodings of the binary format (bytes, LEB128 numbers, names) from a module,
/// never past <see cref="Limit"/> (the end of the enclosing section or body). Every failure is a
/// <see cref="WasmFormatException"/> naming the byte offset; <paramref name="what"/> arguments say
/// what was being read, for that message.
/// </summary>
internal ref struct WasmReader(ReadOnlySpan<byte> module)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _module = module;

    /// <summary>The offset of the next byte to read, from the start of the module.</summary>
    public int Position { get; set; }

    /// <summary>Reads stop here: the end of the module, section or function body being read.</summary>
    public int Limit { get; set; } = module.Length;

    public readonly int Remaining => Limit - Position;

    public readonly bool AtLimit => Position >= Limit;

    public readonly ReadOnlySpan<byte> Module => _module;

    public byte ReadByte(string what)
    {
        if (Position >= Limit)
        {
            throw Truncated(what);
        }

        return _module[Position++];
    }

    public readonly byte PeekByte(string what) => Position < Limit ? _module[Position] : throw Truncated(what);

    public void Skip(int count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw Truncated(what);
        }

        Position += count;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string what)
    {
        var start = Position;
        Skip(count, what);
        return _module.Slice(start, count);
    }

    public uint ReadU32(string what)
    {
        var start = Position;
        uint result = 0;
        for (var i = 0; i < 5; i++)
        {
            var b = ReadByte(what);
            if (i == 4)
            {
                // The fifth byte carries bits 28..31 only: no continuation, nothing above.
                if (b > 0x0F)
                {
                    throw TooLarge(what, start, 32);
                }

                return result | ((uint)b << 28);
            }

            result |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw TooLarge(what, start, 32);
    }

    public int ReadS32(string what) => (int)ReadSigned(what, 32);

    /// <summary>The 33-bit signed number of block types and heap types.</summary>
    public long ReadS33(string what) => ReadSigned(what, 33);

    public long ReadS64(string what) => ReadSigned(what, 64);

    /// <summary>A vector's element count, refused when the remaining bytes cannot hold that many elements.</summary>
    public int ReadCount(string what, int minimumBytesPerElement = 1)
    {
        var start = Position;
        var count = ReadU32(what);
        if (count > (ulong)Remaining / (ulong)minimumBytesPerElement)
        {
            throw new WasmFormatException($"{what}: {count} elements declared but only {Remaining} bytes remain", start);
        }

        return (int)count;
    }

    /// <summary>A name: a length and that many bytes of valid UTF-8.</summary>
    public string ReadName(string what)
    {
        var start = Position;
        var length = ReadU32(what);
        if (length > (uint)Remaining)
        {
            throw new WasmFormatException($"{what}: a name of {length} bytes runs past the end", start);
        }

        var bytes = ReadBytes((int)length, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new WasmFormatException($"{what}: the name is not valid UTF-8", start);
        }
    }

    public readonly WasmFormatException Truncated(string what) =>
        new(Limit < _module.Length
            ? $"unexpected end of the enclosing section or body (at byte offset {Limit}) while reading {what}"
            : $"unexpected end of the module while reading {what}", Position);

    private long ReadSigned(string what, int bits)
    {
        var start = Position;
        var maximumBytes = (bits + 6) / 7;
        long result = 0;
        var shift = 0;
        for (var i = 0; i < maximumBytes; i++)
        {
            var b = ReadByte(what);
            if (i == maximumBytes - 1)
            {
                // The last byte holds the top bits; the rest of it must be their sign extension.
                var value = (b & 0x40) != 0 ? b - 0x80 : b;
                var bitsLeft = bits - shift;
                if ((b & 0x80) != 0 || value < -(1L << (bitsLeft - 1)) || value > (1L << (bitsLeft - 1)) - 1)
                {
                    throw TooLarge(what, start, bits);
                }

                return result | ((long)value << shift);
            }

            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if ((b & 0x40) != 0)
                {
                    result |= -1L << shift;
                }

                return result;
            }
        }

        throw TooLarge(what, start, bits);
    }

    private static WasmFormatException TooLarge(string what, int start, int bits) =>
        new($"{what}: LEB128 number too long or too large for {bits} bits", start);
}
