using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Codec;

/// <summary>Cuts whole packets off the front of a byte sequence. It returns false while a packet is incomplete, and
/// checks the declared size against the limit as soon as the fixed header is readable, so a peer claiming a huge
/// length is refused before any of it is buffered, let alone allocated.</summary>
internal static class MqttPacketDecoder
{
    /// <summary>1 type byte plus up to 4 length bytes.</summary>
    private const int MaxFixedHeaderSize = 1 + RemainingLength.MaxBytes;

    public static bool TryDecode(ref ReadOnlySequence<byte> buffer, int maxPacketSize, [NotNullWhen(true)] out MqttPacket? packet)
    {
        packet = null;
        if (buffer.IsEmpty)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[MaxFixedHeaderSize];
        var available = (int)Math.Min(buffer.Length, MaxFixedHeaderSize);
        buffer.Slice(0, available).CopyTo(header);
        ValidateFirstByte(header[0]);
        if (!RemainingLength.TryRead(header[1..available], out var remaining, out var lengthBytes))
        {
            return false;
        }

        var total = 1L + lengthBytes + remaining;
        if (total > maxPacketSize)
        {
            throw new MqttProtocolException($"Packet of {total} bytes exceeds the maximum packet size of {maxPacketSize} bytes.");
        }

        if (buffer.Length < total)
        {
            return false;
        }

        var body = buffer.Slice(1 + lengthBytes, remaining);
        packet = body.IsSingleSegment ? DecodeBody(header[0], body.FirstSpan) : DecodeFragmented(header[0], body);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Decodes one packet whose fixed header has been read: <paramref name="body"/> is exactly the remaining bytes.</summary>
    public static MqttPacket DecodeBody(byte firstByte, ReadOnlySpan<byte> body)
    {
        ValidateFirstByte(firstByte);
        var type = (MqttPacketType)(firstByte >> 4);
        var flags = firstByte & 0x0F;
        return type switch
        {
            MqttPacketType.Connect => DecodeConnect(body),
            MqttPacketType.ConnAck => DecodeConnAck(body),
            MqttPacketType.Publish => DecodePublish(flags, body),
            MqttPacketType.PubAck => new PubAckPacket(ReadPacketIdOnly(body, "PUBACK")),
            MqttPacketType.Subscribe => DecodeSubscribe(body),
            MqttPacketType.SubAck => DecodeSubAck(body),
            MqttPacketType.Unsubscribe => DecodeUnsubscribe(body),
            MqttPacketType.UnsubAck => new UnsubAckPacket(ReadPacketIdOnly(body, "UNSUBACK")),
            MqttPacketType.PingReq => Empty(body, PingReqPacket.Instance),
            MqttPacketType.PingResp => Empty(body, PingRespPacket.Instance),
            MqttPacketType.Disconnect => Empty(body, DisconnectPacket.Instance),
            _ => throw new MqttProtocolException($"Packet type {type} is not supported."),
        };
    }

    private static MqttPacket DecodeFragmented(byte firstByte, ReadOnlySequence<byte> body)
    {
        var length = (int)body.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(rented);
            return DecodeBody(firstByte, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Rejects garbage from the very first byte, before waiting for a length that may never come.</summary>
    private static void ValidateFirstByte(byte firstByte)
    {
        var type = firstByte >> 4;
        var flags = firstByte & 0x0F;
        switch ((MqttPacketType)type)
        {
            case MqttPacketType.Publish:
                return;
            case MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                throw new MqttProtocolException($"QoS 2 packets ({(MqttPacketType)type}) are not supported.");
            case MqttPacketType.Subscribe or MqttPacketType.Unsubscribe:
                if (flags != 0x02)
                {
                    throw new MqttProtocolException($"{(MqttPacketType)type} fixed header flags must be 0010, got {flags:X1} [MQTT-3.8.1-1].");
                }

                return;
            case >= MqttPacketType.Connect and <= MqttPacketType.Disconnect:
                if (flags != 0)
                {
                    throw new MqttProtocolException($"{(MqttPacketType)type} fixed header flags must be 0, got {flags:X1} [MQTT-2.2.2-2].");
                }

                return;
            default:
                throw new MqttProtocolException($"Reserved packet type {type} (first byte 0x{firstByte:X2}).");
        }
    }

    private static ConnectPacket DecodeConnect(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "CONNECT");
        var protocolName = reader.ReadString();
        var protocolLevel = reader.ReadByte();
        var flags = reader.ReadByte();
        var keepAlive = reader.ReadUInt16();
        if (protocolName != ConnectPacket.MqttProtocolName || protocolLevel != ConnectPacket.MqttProtocolLevel)
        {
            // Other versions lay out the rest differently (MQTT 5 adds properties); the broker only needs the
            // name and level to answer CONNACK 1, so stop here instead of misreading the payload.
            return new ConnectPacket(string.Empty, CleanSession: true, keepAlive, ProtocolName: protocolName, ProtocolLevel: protocolLevel);
        }

        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException("CONNECT reserved flag must be 0 [MQTT-3.1.2-3].");
        }

        var cleanSession = (flags & 0x02) != 0;
        var willFlag = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUsername = (flags & 0x80) != 0;
        if (!willFlag && (willQos != 0 || willRetain))
        {
            throw new MqttProtocolException("CONNECT has will QoS or retain set without the will flag [MQTT-3.1.2-13], [MQTT-3.1.2-15].");
        }

        if (willQos == 3)
        {
            throw new MqttProtocolException("CONNECT will QoS 3 is invalid [MQTT-3.1.2-14].");
        }

        if (hasPassword && !hasUsername)
        {
            throw new MqttProtocolException("CONNECT has a password without a user name [MQTT-3.1.2-22].");
        }

        var clientId = reader.ReadString();
        MqttApplicationMessage? will = null;
        if (willFlag)
        {
            var willTopic = reader.ReadString();
            if (!MqttTopics.IsValidTopicName(willTopic))
            {
                throw new MqttProtocolException($"CONNECT will topic '{willTopic}' is not a valid topic name.");
            }

            var willPayload = reader.ReadBinary().ToArray();

            // We do not speak QoS 2, so a will asking for it is published at QoS 1, the best we can do.
            will = new MqttApplicationMessage(willTopic, willPayload, willQos == 0 ? MqttQos.AtMostOnce : MqttQos.AtLeastOnce, willRetain);
        }

        var username = hasUsername ? reader.ReadString() : null;

        // The password is binary data; it is carried as text, so bytes that are not UTF-8 become U+FFFD.
        var password = hasPassword ? Encoding.UTF8.GetString(reader.ReadBinary()) : null;
        reader.EnsureAtEnd();
        return new ConnectPacket(clientId, cleanSession, keepAlive, username, password, will, protocolName, protocolLevel);
    }

    private static ConnAckPacket DecodeConnAck(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "CONNACK");
        var acknowledgeFlags = reader.ReadByte();
        var returnCode = reader.ReadByte();
        reader.EnsureAtEnd();
        if ((acknowledgeFlags & 0xFE) != 0)
        {
            throw new MqttProtocolException("CONNACK reserved acknowledge flags must be 0.");
        }

        return new ConnAckPacket((acknowledgeFlags & 0x01) != 0, returnCode);
    }

    private static PublishPacket DecodePublish(int flags, ReadOnlySpan<byte> body)
    {
        var dup = (flags & 0x08) != 0;
        var qos = (flags >> 1) & 0x03;
        var retain = (flags & 0x01) != 0;
        if (qos == 3)
        {
            throw new MqttProtocolException("PUBLISH with QoS 3 is malformed [MQTT-3.3.1-4].");
        }

        if (qos == 2)
        {
            throw new MqttProtocolException("PUBLISH with QoS 2 is not supported.");
        }

        if (qos == 0 && dup)
        {
            throw new MqttProtocolException("PUBLISH QoS 0 must not have DUP set [MQTT-3.3.1-2].");
        }

        var reader = new MqttSpanReader(body, "PUBLISH");
        var topic = reader.ReadString();
        if (!MqttTopics.IsValidTopicName(topic))
        {
            throw new MqttProtocolException($"PUBLISH topic '{topic}' is not a valid topic name (empty or containing wildcards) [MQTT-3.3.2-2].");
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = reader.ReadUInt16();
            RequireNonZero(packetId, "PUBLISH");
        }

        var payload = reader.ReadRest().ToArray();
        return new PublishPacket(topic, payload, (MqttQos)qos, retain, dup, packetId);
    }

    private static SubscribePacket DecodeSubscribe(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "SUBSCRIBE");
        var packetId = reader.ReadUInt16();
        RequireNonZero(packetId, "SUBSCRIBE");
        var subscriptions = new List<TopicSubscription>();
        while (!reader.IsAtEnd)
        {
            var filter = reader.ReadString();
            if (!MqttTopics.IsValidTopicFilter(filter))
            {
                throw new MqttProtocolException($"SUBSCRIBE topic filter '{filter}' is invalid.");
            }

            var qos = reader.ReadByte();
            if (qos > 2)
            {
                throw new MqttProtocolException($"SUBSCRIBE requested QoS byte 0x{qos:X2} is malformed [MQTT-3.8.3-4].");
            }

            subscriptions.Add(new TopicSubscription(filter, qos));
        }

        if (subscriptions.Count == 0)
        {
            throw new MqttProtocolException("SUBSCRIBE without any topic filter [MQTT-3.8.3-3].");
        }

        return new SubscribePacket(packetId, subscriptions);
    }

    private static SubAckPacket DecodeSubAck(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "SUBACK");
        var packetId = reader.ReadUInt16();
        var codes = reader.ReadRest().ToArray();
        foreach (var code in codes)
        {
            if (code is not (0 or 1 or 2 or SubAckPacket.Failure))
            {
                throw new MqttProtocolException($"SUBACK return code 0x{code:X2} is reserved [MQTT-3.9.3-2].");
            }
        }

        return codes.Length == 0
            ? throw new MqttProtocolException("SUBACK without any return code.")
            : new SubAckPacket(packetId, codes);
    }

    private static UnsubscribePacket DecodeUnsubscribe(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "UNSUBSCRIBE");
        var packetId = reader.ReadUInt16();
        RequireNonZero(packetId, "UNSUBSCRIBE");
        var filters = new List<string>();
        while (!reader.IsAtEnd)
        {
            var filter = reader.ReadString();
            if (!MqttTopics.IsValidTopicFilter(filter))
            {
                throw new MqttProtocolException($"UNSUBSCRIBE topic filter '{filter}' is invalid.");
            }

            filters.Add(filter);
        }

        return filters.Count == 0
            ? throw new MqttProtocolException("UNSUBSCRIBE without any topic filter [MQTT-3.10.3-2].")
            : new UnsubscribePacket(packetId, filters);
    }

    private static ushort ReadPacketIdOnly(ReadOnlySpan<byte> body, string packetName)
    {
        var reader = new MqttSpanReader(body, packetName);
        var packetId = reader.ReadUInt16();
        reader.EnsureAtEnd();
        return packetId;
    }

    private static MqttPacket Empty(ReadOnlySpan<byte> body, MqttPacket packet) =>
        body.IsEmpty ? packet : throw new MqttProtocolException($"{packet.Type} must have no body, got {body.Length} bytes.");

    private static void RequireNonZero(ushort packetId, string packetName)
    {
        if (packetId == 0)
        {
            throw new MqttProtocolException($"{packetName} packet identifier must not be 0 [MQTT-2.3.1-1].");
        }
    }
}
