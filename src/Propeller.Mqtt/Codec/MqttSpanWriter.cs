using System.Buffers.Binary;
using System.Text;

namespace Propeller.Mqtt.Codec;

/// <summary>Writes MQTT primitives into a span the encoder has already sized exactly, so it never checks bounds twice.</summary>
internal ref struct MqttSpanWriter
{
    private readonly Span<byte> _destination;
    private int _position;

    public MqttSpanWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteRemainingLength(int value) => _position += RemainingLength.Write(_destination[_position..], value);

    /// <summary>A UTF-8 string with its 16-bit length prefix; the caller has checked it fits in 65535 bytes.</summary>
    public void WriteString(string value)
    {
        var written = Encoding.UTF8.GetBytes(value, _destination[(_position + 2)..]);
        WriteUInt16((ushort)written);
        _position += written;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }
}
