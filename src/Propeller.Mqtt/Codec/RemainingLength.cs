namespace Propeller.Mqtt.Codec;

/// <summary>The fixed header's "remaining length": 7 bits per byte, high bit = more bytes follow, at most 4 bytes
/// (section 2.2.3).</summary>
internal static class RemainingLength
{
    public const int MaxValue = 268_435_455;
    public const int MaxBytes = 4;

    public static int SizeOf(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        return value switch
        {
            < 128 => 1,
            < 16_384 => 2,
            < 2_097_152 => 3,
            _ => 4,
        };
    }

    public static int Write(Span<byte> destination, int value)
    {
        var size = SizeOf(value);
        for (var i = 0; i < size; i++)
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = value > 0 ? (byte)(digit | 0x80) : digit;
        }

        return size;
    }

    /// <summary>Reads the length from the bytes after the first header byte. Returns false while the encoding is
    /// still incomplete, so a caller can wait for more bytes; a fifth byte is malformed and throws at once.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        value = 0;
        for (var i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length)
            {
                consumed = 0;
                value = 0;
                return false;
            }

            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                consumed = i + 1;
                return true;
            }
        }

        throw new MqttProtocolException("Malformed remaining length: more than 4 bytes.");
    }
}
