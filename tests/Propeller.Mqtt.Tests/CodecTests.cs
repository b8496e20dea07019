using System.Buffers;
using System.IO.Pipelines;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Tests;

public class CodecTests
{
    /// <summary>Hand-assembled from MQTT 3.1.1 chapters 2 and 3.</summary>
    public static TheoryData<string, string> Vectors => new()
    {
        // CONNECT: "MQTT" level 4, flags user|pass|will retain|will QoS 1|will|clean = 0xEE, keep-alive 60,
        // client id "c1", will "w" -> "bye", user "u", password "p".
        { "connect-full", "10 1C 00 04 4D 51 54 54 04 EE 00 3C 00 02 63 31 00 01 77 00 03 62 79 65 00 01 75 00 01 70" },
        { "connect-minimal", "10 0D 00 04 4D 51 54 54 04 02 00 00 00 01 61" },
        { "connack-session-present", "20 02 01 00" },
        { "connack-not-authorized", "20 02 00 05" },
        { "publish-qos0", "30 07 00 03 61 2F 62 68 69" },
        { "publish-qos1-dup-retain", "3B 09 00 03 61 2F 62 00 0A 68 69" },
        { "publish-qos1-empty", "32 07 00 03 61 2F 62 00 01" },
        { "puback", "40 02 00 0A" },
        { "subscribe", "82 0C 00 01 00 03 61 2F 2B 01 00 01 23 00" },
        { "suback", "90 04 00 01 01 80" },
        { "unsubscribe", "A2 07 00 02 00 03 61 2F 2B" },
        { "unsuback", "B0 02 00 02" },
        { "pingreq", "C0 00" },
        { "pingresp", "D0 00" },
        { "disconnect", "E0 00" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Packets_encode_to_the_exact_spec_bytes(string name, string hex)
    {
        var packet = Packet(name);
        Assert.Equal(Hex(hex), MqttPacketEncoder.Encode(packet));
        Assert.Equal(Hex(hex).Length, MqttPacketEncoder.GetEncodedSize(packet));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Spec_bytes_decode_to_the_expected_packet(string name, string hex)
    {
        var expected = Packet(name);
        var decoded = DecodeSingle(Hex(hex));
        Assert.Equal(expected.GetType(), decoded.GetType());
        Assert.Equal(MqttPacketEncoder.Encode(expected), MqttPacketEncoder.Encode(decoded));
    }

    [Fact]
    public void Decoded_connect_carries_every_field()
    {
        var connect = Assert.IsType<ConnectPacket>(DecodeSingle(Hex("10 1C 00 04 4D 51 54 54 04 EE 00 3C 00 02 63 31 00 01 77 00 03 62 79 65 00 01 75 00 01 70")));
        Assert.Equal("c1", connect.ClientId);
        Assert.True(connect.CleanSession);
        Assert.Equal(60, connect.KeepAliveSeconds);
        Assert.Equal("u", connect.Username);
        Assert.Equal("p", connect.Password);
        Assert.NotNull(connect.Will);
        Assert.Equal("w", connect.Will.Topic);
        Assert.Equal("bye"u8.ToArray(), connect.Will.Payload.ToArray());
        Assert.Equal(MqttQos.AtLeastOnce, connect.Will.Qos);
        Assert.True(connect.Will.Retain);
    }

    [Fact]
    public void Decoded_publish_carries_flags_and_identifier()
    {
        var publish = Assert.IsType<PublishPacket>(DecodeSingle(Hex("3B 09 00 03 61 2F 62 00 0A 68 69")));
        Assert.Equal("a/b", publish.Topic);
        Assert.Equal(MqttQos.AtLeastOnce, publish.Qos);
        Assert.True(publish.Dup);
        Assert.True(publish.Retain);
        Assert.Equal(10, publish.PacketId);
        Assert.Equal("hi"u8.ToArray(), publish.Payload.ToArray());
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "80 01")]
    [InlineData(16_383, "FF 7F")]
    [InlineData(16_384, "80 80 01")]
    [InlineData(2_097_151, "FF FF 7F")]
    [InlineData(2_097_152, "80 80 80 01")]
    [InlineData(268_435_455, "FF FF FF 7F")]
    public void Remaining_length_boundaries_match_the_spec_table(int value, string hex)
    {
        var expected = Hex(hex);
        var buffer = new byte[4];
        Assert.Equal(expected.Length, RemainingLength.Write(buffer, value));
        Assert.Equal(expected, buffer[..expected.Length]);
        Assert.True(RemainingLength.TryRead(expected, out var decoded, out var consumed));
        Assert.Equal(value, decoded);
        Assert.Equal(expected.Length, consumed);

        // Every proper prefix of a multi-byte length means "wait for more", never a wrong value.
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.False(RemainingLength.TryRead(expected.AsSpan(0, i), out _, out _));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public void Publish_with_boundary_remaining_length_round_trips(int remaining)
    {
        // Topic "t" takes 3 bytes of the body; QoS 0 has no identifier. Remaining 0 is checked with PINGREQ.
        MqttPacket packet = remaining == 0
            ? PingReqPacket.Instance
            : new PublishPacket("t", new byte[remaining - 3]);
        if (remaining is > 0 and < 3)
        {
            return;
        }

        var bytes = MqttPacketEncoder.Encode(packet);
        Assert.Equal(1 + RemainingLength.SizeOf(remaining) + remaining, bytes.Length);
        Assert.Equal(bytes, MqttPacketEncoder.Encode(DecodeSingle(bytes, maxPacketSize: bytes.Length)));
    }

    [Fact]
    public void Largest_remaining_length_is_accepted_when_the_limit_allows_it()
    {
        // Only the header: the decoder must ask for more bytes, not reject the legal maximum.
        var sequence = new ReadOnlySequence<byte>(Hex("30 FF FF FF 7F"));
        Assert.False(MqttPacketDecoder.TryDecode(ref sequence, int.MaxValue, out _));
    }

    [Fact]
    public void Five_byte_remaining_length_is_rejected()
    {
        var sequence = new ReadOnlySequence<byte>(Hex("30 FF FF FF FF 7F"));
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.TryDecode(ref sequence, int.MaxValue, out _));
        Assert.Contains("4 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_packet_is_rejected_from_its_header_before_the_body_arrives()
    {
        // 5 bytes claim a 256 MB packet; with a 1 MB limit the decoder refuses now instead of waiting and buffering.
        var sequence = new ReadOnlySequence<byte>(Hex("30 FF FF FF 7F"));
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.TryDecode(ref sequence, 1024 * 1024, out _));
        Assert.Contains("268435460 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1048576", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_packet_fails_the_pipe_reader_without_waiting_for_the_body()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex("30 FF FF FF 7F"));
        var reader = new MqttPacketReader(pipe.Reader, 1024);
        await Assert.ThrowsAsync<MqttProtocolException>(async () => await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Splitting_the_stream_at_every_byte_boundary_yields_the_same_packets()
    {
        var all = Vectors.Select(row => Hex((string)row[1])).ToList();
        var stream = all.SelectMany(b => b).ToArray();
        for (var split = 0; split <= stream.Length; split++)
        {
            var pipe = new Pipe();
            var reader = new MqttPacketReader(pipe.Reader, 1024);
            var decoded = new List<byte[]>();
            await pipe.Writer.WriteAsync(stream.AsMemory(0, split));
            await pipe.Writer.FlushAsync();
            while (reader.TryReadBuffered(out var early))
            {
                decoded.Add(MqttPacketEncoder.Encode(early!));
            }

            await pipe.Writer.WriteAsync(stream.AsMemory(split));
            await pipe.Writer.CompleteAsync();
            while (await reader.ReadAsync(CancellationToken.None) is { } packet)
            {
                decoded.Add(MqttPacketEncoder.Encode(packet));
            }

            Assert.Equal(all.Count, decoded.Count);
            for (var i = 0; i < all.Count; i++)
            {
                Assert.Equal(all[i], decoded[i]);
            }
        }
    }

    [Fact]
    public void Decoding_one_byte_segments_yields_the_same_packets()
    {
        var all = Vectors.Select(row => Hex((string)row[1])).ToList();
        var sequence = OneByteSegments(all.SelectMany(b => b).ToArray());
        var decoded = new List<byte[]>();
        while (MqttPacketDecoder.TryDecode(ref sequence, 1024, out var packet))
        {
            decoded.Add(MqttPacketEncoder.Encode(packet));
        }

        Assert.True(sequence.IsEmpty);
        Assert.Equal(all, decoded);
    }

    [Fact]
    public async Task Stream_ending_mid_packet_is_an_error_and_a_clean_end_is_null()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex("30 07 00 03 61"));
        await pipe.Writer.CompleteAsync();
        var reader = new MqttPacketReader(pipe.Reader, 1024);
        await Assert.ThrowsAsync<MqttProtocolException>(async () => await reader.ReadAsync(CancellationToken.None));

        var empty = new Pipe();
        await empty.Writer.CompleteAsync();
        Assert.Null(await new MqttPacketReader(empty.Reader, 1024).ReadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("00 00", "reserved type 0")]
    [InlineData("F0 00", "reserved type 15")]
    [InlineData("36 07 00 03 61 2F 62 00 01", "PUBLISH QoS 3")]
    [InlineData("34 07 00 03 61 2F 62 00 01", "PUBLISH QoS 2")]
    [InlineData("38 05 00 03 61 2F 62", "PUBLISH QoS 0 with DUP")]
    [InlineData("30 05 00 03 61 2F 23", "PUBLISH topic with '#'")]
    [InlineData("30 05 00 03 61 2F 2B", "PUBLISH topic with '+'")]
    [InlineData("30 02 00 00", "PUBLISH empty topic")]
    [InlineData("30 04 00 02 C3 28", "PUBLISH topic not UTF-8")]
    [InlineData("30 05 00 03 61 00 62", "PUBLISH topic with U+0000")]
    [InlineData("32 05 00 03 61 2F 62", "PUBLISH QoS 1 without identifier")]
    [InlineData("32 07 00 03 61 2F 62 00 00", "PUBLISH QoS 1 with identifier 0")]
    [InlineData("41 02 00 01", "PUBACK with flags")]
    [InlineData("40 03 00 01 00", "PUBACK with a trailing byte")]
    [InlineData("80 06 00 01 00 01 23 00", "SUBSCRIBE with flags 0000")]
    [InlineData("82 02 00 01", "SUBSCRIBE without filters")]
    [InlineData("82 06 00 01 00 01 23 03", "SUBSCRIBE QoS 3")]
    [InlineData("82 07 00 01 00 02 61 23 00", "SUBSCRIBE filter 'a#'")]
    [InlineData("A2 02 00 01", "UNSUBSCRIBE without filters")]
    [InlineData("C0 01 00", "PINGREQ with a body")]
    [InlineData("50 02 00 01", "PUBREC (QoS 2 flow)")]
    [InlineData("10 0D 00 04 4D 51 54 54 04 03 00 00 00 01 61", "CONNECT reserved flag")]
    [InlineData("10 0D 00 04 4D 51 54 54 04 42 00 00 00 01 61", "CONNECT password without user name")]
    [InlineData("10 0D 00 04 4D 51 54 54 04 0A 00 00 00 01 61", "CONNECT will QoS without will flag")]
    [InlineData("10 0C 00 04 4D 51 54 54 04 02 00 00 00 01", "CONNECT truncated client id")]
    public void Malformed_input_is_rejected_with_a_protocol_error(string hex, string what)
    {
        var sequence = new ReadOnlySequence<byte>(Hex(hex));
        var ex = Record.Exception(() => MqttPacketDecoder.TryDecode(ref sequence, 1024, out _));
        Assert.True(ex is MqttProtocolException, $"{what}: expected MqttProtocolException, got {ex?.GetType().Name ?? "success"}");
    }

    [Fact]
    public void Connect_of_another_protocol_version_decodes_far_enough_to_refuse_it()
    {
        // MQTT 3.1 ("MQIsdp", level 3).
        var connect = Assert.IsType<ConnectPacket>(DecodeSingle(Hex("10 0F 00 06 4D 51 49 73 64 70 03 02 00 00 00 01 61")));
        Assert.Equal("MQIsdp", connect.ProtocolName);
        Assert.Equal(3, connect.ProtocolLevel);
    }

    [Fact]
    public void Encoding_a_string_over_65535_bytes_throws_and_writes_nothing()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => MqttPacketEncoder.Encode(new PublishPacket(new string('a', 70_000), Array.Empty<byte>()), output));
        Assert.Equal(0, output.WrittenCount);
    }

    internal static MqttPacket Packet(string name) => name switch
    {
        "connect-full" => new ConnectPacket("c1", CleanSession: true, KeepAliveSeconds: 60, Username: "u", Password: "p",
            Will: new MqttApplicationMessage("w", "bye"u8.ToArray(), MqttQos.AtLeastOnce, Retain: true)),
        "connect-minimal" => new ConnectPacket("a", CleanSession: true, KeepAliveSeconds: 0),
        "connack-session-present" => new ConnAckPacket(true, ConnectReturnCode.Accepted),
        "connack-not-authorized" => new ConnAckPacket(false, ConnectReturnCode.NotAuthorized),
        "publish-qos0" => new PublishPacket("a/b", "hi"u8.ToArray()),
        "publish-qos1-dup-retain" => new PublishPacket("a/b", "hi"u8.ToArray(), MqttQos.AtLeastOnce, Retain: true, Dup: true, PacketId: 10),
        "publish-qos1-empty" => new PublishPacket("a/b", ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, PacketId: 1),
        "puback" => new PubAckPacket(10),
        "subscribe" => new SubscribePacket(1, [new TopicSubscription("a/+", 1), new TopicSubscription("#", 0)]),
        "suback" => new SubAckPacket(1, [1, SubAckPacket.Failure]),
        "unsubscribe" => new UnsubscribePacket(2, ["a/+"]),
        "unsuback" => new UnsubAckPacket(2),
        "pingreq" => PingReqPacket.Instance,
        "pingresp" => PingRespPacket.Instance,
        "disconnect" => DisconnectPacket.Instance,
        _ => throw new ArgumentException(name, nameof(name)),
    };

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    private static MqttPacket DecodeSingle(byte[] bytes, int maxPacketSize = 1024)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttPacketDecoder.TryDecode(ref sequence, maxPacketSize, out var packet));
        Assert.True(sequence.IsEmpty, "the decoder must consume exactly one packet");
        return packet;
    }

    private static ReadOnlySequence<byte> OneByteSegments(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
