using System.Buffers.Binary;
using System.Text;

namespace Propeller.Mqtt.Codec;

/// <summary>Reads MQTT primitives from one packet's body; every overrun or bad string becomes an
/// <see cref="MqttProtocolException"/> naming the packet, never an index exception.</summary>
internal ref struct MqttSpanReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _source;
    private readonly string _packetName;
    private int _position;

    public MqttSpanReader(ReadOnlySpan<byte> source, string packetName)
    {
        _source = source;
        _packetName = packetName;
        _position = 0;
    }

    public readonly int Remaining => _source.Length - _position;

    public readonly bool IsAtEnd => _position == _source.Length;

    public byte ReadByte()
    {
        Need(1);
        return _source[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_source[_position..]);
        _position += 2;
        return value;
    }

    /// <summary>Strings must be well-formed UTF-8 without U+0000 [MQTT-1.5.3-1], [MQTT-1.5.3-2].</summary>
    public string ReadString()
    {
        var bytes = ReadBinary();
        string value;
        try
        {
            value = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new MqttProtocolException($"{_packetName} packet contains a string that is not valid UTF-8.", ex);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MqttProtocolException($"{_packetName} packet contains a string with the null character U+0000.");
        }

        return value;
    }

    public ReadOnlySpan<byte> ReadBinary()
    {
        var length = ReadUInt16();
        return ReadBytes(length);
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        var slice = _source.Slice(_position, count);
        _position += count;
        return slice;
    }

    public ReadOnlySpan<byte> ReadRest() => ReadBytes(Remaining);

    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd)
        {
            throw new MqttProtocolException($"{_packetName} packet has {Remaining} unexpected trailing bytes.");
        }
    }

    private readonly void Need(int count)
    {
        if (count > Remaining)
        {
            throw new MqttProtocolException($"{_packetName} packet is truncated: needed {count} more bytes, {Remaining} left.");
        }
    }
}
