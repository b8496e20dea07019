using System.Buffers;
using System.Text;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Codec;

/// <summary>Turns packets into wire bytes. The size is computed (and validated) before anything is written, so a
/// packet that cannot be encoded leaves the output untouched; the writer relies on that to batch packets safely.</summary>
internal static class MqttPacketEncoder
{
    private const int MaxStringBytes = ushort.MaxValue;

    public static byte[] Encode(MqttPacket packet)
    {
        var output = new ArrayBufferWriter<byte>(GetEncodedSize(packet));
        Encode(packet, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends the packet to <paramref name="output"/> and returns the number of bytes written.</summary>
    public static int Encode(MqttPacket packet, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        var remaining = GetRemainingLength(packet);
        var total = 1 + RemainingLength.SizeOf(remaining) + remaining;
        var span = output.GetSpan(total)[..total];
        var writer = new MqttSpanWriter(span);
        writer.WriteByte(FirstHeaderByte(packet));
        writer.WriteRemainingLength(remaining);
        WriteBody(packet, ref writer);
        if (writer.Position != total)
        {
            throw new InvalidOperationException($"Encoder size mismatch for {packet.Type}: computed {total}, wrote {writer.Position}.");
        }

        output.Advance(total);
        return total;
    }

    /// <summary>Bytes on the wire including the fixed header; throws <see cref="ArgumentException"/> when the packet
    /// cannot be represented at all (a string over 65535 bytes, a body over 256 MB).</summary>
    public static int GetEncodedSize(MqttPacket packet)
    {
        var remaining = GetRemainingLength(packet);
        return 1 + RemainingLength.SizeOf(remaining) + remaining;
    }

    private static byte FirstHeaderByte(MqttPacket packet)
    {
        var type = (byte)((byte)packet.Type << 4);
        return packet switch
        {
            PublishPacket p => (byte)(type | (p.Dup ? 0x08 : 0) | ((byte)p.Qos << 1) | (p.Retain ? 0x01 : 0)),

            // SUBSCRIBE and UNSUBSCRIBE carry the fixed flags 0010 [MQTT-3.8.1-1], [MQTT-3.10.1-1].
            SubscribePacket or UnsubscribePacket => (byte)(type | 0x02),
            _ => type,
        };
    }

    private static int GetRemainingLength(MqttPacket packet)
    {
        long length = packet switch
        {
            ConnectPacket c => ConnectLength(c),
            ConnAckPacket => 2,
            PublishPacket p => StringLength(p.Topic) + (p.Qos == MqttQos.AtMostOnce ? 0 : 2) + (long)p.Payload.Length,
            PubAckPacket or UnsubAckPacket => 2,
            SubscribePacket s => 2 + s.Subscriptions.Sum(x => StringLength(x.Filter) + 1L),
            SubAckPacket s => 2 + s.ReturnCodes.Count,
            UnsubscribePacket u => 2 + u.TopicFilters.Sum(StringLength),
            PingReqPacket or PingRespPacket or DisconnectPacket => 0,
            _ => throw new ArgumentException($"Cannot encode packet type {packet.GetType().Name}.", nameof(packet)),
        };
        if (length > RemainingLength.MaxValue)
        {
            throw new ArgumentException($"The {packet.Type} packet body is {length} bytes; MQTT allows at most {RemainingLength.MaxValue}.", nameof(packet));
        }

        return (int)length;
    }

    private static long ConnectLength(ConnectPacket c)
    {
        // Protocol name, level, flags, keep-alive, then the payload fields in spec order.
        long length = StringLength(c.ProtocolName) + 1 + 1 + 2 + StringLength(c.ClientId);
        if (c.Will is { } will)
        {
            length += StringLength(will.Topic) + BinaryLength(will.Payload.Length);
        }

        if (c.Username is not null)
        {
            length += StringLength(c.Username);
        }

        if (c.Password is not null)
        {
            length += StringLength(c.Password);
        }

        return length;
    }

    private static long StringLength(string value) => BinaryLength(Encoding.UTF8.GetByteCount(value));

    private static long BinaryLength(int length)
    {
        if (length > MaxStringBytes)
        {
            throw new ArgumentException($"A string or binary field of {length} bytes exceeds MQTT's limit of {MaxStringBytes} bytes.");
        }

        return 2 + length;
    }

    private static void WriteBody(MqttPacket packet, ref MqttSpanWriter writer)
    {
        switch (packet)
        {
            case ConnectPacket c:
                WriteConnect(c, ref writer);
                break;
            case ConnAckPacket a:
                writer.WriteByte(a.SessionPresent ? (byte)1 : (byte)0);
                writer.WriteByte(a.ReturnCode);
                break;
            case PublishPacket p:
                writer.WriteString(p.Topic);
                if (p.Qos != MqttQos.AtMostOnce)
                {
                    writer.WriteUInt16(p.PacketId);
                }

                writer.WriteBytes(p.Payload.Span);
                break;
            case PubAckPacket a:
                writer.WriteUInt16(a.PacketId);
                break;
            case SubscribePacket s:
                writer.WriteUInt16(s.PacketId);
                foreach (var subscription in s.Subscriptions)
                {
                    writer.WriteString(subscription.Filter);
                    writer.WriteByte(subscription.RequestedQos);
                }

                break;
            case SubAckPacket s:
                writer.WriteUInt16(s.PacketId);
                foreach (var code in s.ReturnCodes)
                {
                    writer.WriteByte(code);
                }

                break;
            case UnsubscribePacket u:
                writer.WriteUInt16(u.PacketId);
                foreach (var filter in u.TopicFilters)
                {
                    writer.WriteString(filter);
                }

                break;
            case UnsubAckPacket u:
                writer.WriteUInt16(u.PacketId);
                break;
        }
    }

    private static void WriteConnect(ConnectPacket c, ref MqttSpanWriter writer)
    {
        writer.WriteString(c.ProtocolName);
        writer.WriteByte(c.ProtocolLevel);
        var flags = 0;
        if (c.CleanSession)
        {
            flags |= 0x02;
        }

        if (c.Will is { } will)
        {
            flags |= 0x04 | ((byte)will.Qos << 3) | (will.Retain ? 0x20 : 0);
        }

        if (c.Password is not null)
        {
            flags |= 0x40;
        }

        if (c.Username is not null)
        {
            flags |= 0x80;
        }

        writer.WriteByte((byte)flags);
        writer.WriteUInt16(c.KeepAliveSeconds);
        writer.WriteString(c.ClientId);
        if (c.Will is { } w)
        {
            writer.WriteString(w.Topic);
            writer.WriteBinary(w.Payload.Span);
        }

        if (c.Username is not null)
        {
            writer.WriteString(c.Username);
        }

        if (c.Password is not null)
        {
            // The password is binary data on the wire; we carry it as text and send its UTF-8 bytes.
            writer.WriteString(c.Password);
        }
    }
}
