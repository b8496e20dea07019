using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Tests.Fuzz;

/// <summary>What one hostile connection sends: after an optional valid CONNECT, some bytes; then it closes its side or stalls.</summary>
internal sealed record HostileConnection(string Kind, bool AfterConnect, byte[] Bytes, bool Stall)
{
    public override string ToString() =>
        $"{Kind} ({(AfterConnect ? "after CONNECT" : "before CONNECT")}, {(Stall ? "then stalls" : "then closes")}): {Bytes.Length} bytes {Convert.ToHexString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 64)))}{(Bytes.Length > 64 ? "…" : "")}";
}

/// <summary>Generators of bytes no well-behaved MQTT client sends, built from the packets one does send.</summary>
internal static class HostileBytes
{
    /// <summary>The hostile connections' CONNECT: keep-alive 1 s, so one that stalls after it is closed by the keep-alive rule.</summary>
    public static readonly byte[] Connect = MqttPacketEncoder.Encode(new ConnectPacket("fuzz", CleanSession: true, KeepAliveSeconds: 1));

    /// <summary>One of each packet a client sends, with the fields that vary (will, credentials, QoS, wildcards, payloads).</summary>
    public static readonly IReadOnlyList<byte[]> ValidPackets =
    [
        Connect,
        MqttPacketEncoder.Encode(new ConnectPacket("fuzz-will", CleanSession: false, KeepAliveSeconds: 1, "user", "secret", new MqttApplicationMessage("fuzz/will", Encoding.UTF8.GetBytes("gone"), MqttQos.AtLeastOnce, Retain: true))),
        MqttPacketEncoder.Encode(new PublishPacket("fuzz/topic", Encoding.UTF8.GetBytes("{\"task_id\":\"x\"}"))),
        MqttPacketEncoder.Encode(new PublishPacket("fuzz/qos1", new byte[300], MqttQos.AtLeastOnce, Retain: true, PacketId: 7)),
        MqttPacketEncoder.Encode(new SubscribePacket(3, [new TopicSubscription("fuzz/+/x", 1), new TopicSubscription("fuzz/#", 0)])),
        MqttPacketEncoder.Encode(new UnsubscribePacket(4, ["fuzz/+/x"])),
        MqttPacketEncoder.Encode(new PubAckPacket(7)),
        MqttPacketEncoder.Encode(PingReqPacket.Instance),
        MqttPacketEncoder.Encode(DisconnectPacket.Instance),
    ];

    public static Gen<byte[]> RandomBytes =>
        Gen.Choose(0, 512).SelectMany(length => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), length));

    /// <summary>A valid packet with 1 to 4 mutations: bit flips, replaced, inserted or dropped bytes, a cut.</summary>
    public static Gen<byte[]> Mutated =>
        from packet in Gen.Elements(ValidPackets.ToArray())
        from mutations in Gen.Choose(1, 4)
        from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), mutations * 3)
        select Mutate(packet, seeds);

    /// <summary>A fixed header whose remaining length is far beyond what follows (up to the 4-byte maximum, 268,435,455).</summary>
    public static Gen<byte[]> AbsurdLength =>
        from first in Gen.Elements((byte)0x10, (byte)0x30, (byte)0x32, (byte)0x82, (byte)0xA2, (byte)0xC0, (byte)0xE0)
        from length in Gen.OneOf(Gen.Choose(1_000, 100_000), Gen.Choose(1_000_000, RemainingLength.MaxValue), Gen.Constant(RemainingLength.MaxValue))
        from tail in Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
        select Header(first, length).Concat(tail).ToArray();

    public static Gen<HostileConnection> Connections =>
        from kind in Gen.Elements("random bytes", "mutated packet", "absurd length", "truncated packet")
        from afterConnect in ArbMap.Default.GeneratorFor<bool>()
        from bytes in kind switch
        {
            "random bytes" => RandomBytes,
            "mutated packet" => Mutated,
            "absurd length" => AbsurdLength,
            _ => Truncated,
        }
        from stall in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new HostileConnection(kind, afterConnect, bytes, stall);

    /// <summary>A valid packet cut short at a random position (every position is tried by its own test).</summary>
    public static Gen<byte[]> Truncated =>
        from packet in Gen.Elements(ValidPackets.ToArray())
        from cut in Gen.Choose(1, packet.Length - 1)
        select packet[..cut];

    public static byte[] Header(byte first, int remainingLength)
    {
        var header = new byte[1 + RemainingLength.SizeOf(remainingLength)];
        header[0] = first;
        RemainingLength.Write(header.AsSpan(1), remainingLength);
        return header;
    }

    private static byte[] Mutate(byte[] packet, int[] seeds)
    {
        var bytes = new List<byte>(packet);
        for (var i = 0; i + 2 < seeds.Length; i += 3)
        {
            var position = bytes.Count == 0 ? 0 : seeds[i + 1] % bytes.Count;
            switch (seeds[i] % 5)
            {
                case 0 when bytes.Count > 0:
                    bytes[position] ^= (byte)(1 << (seeds[i + 2] % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[position] = (byte)seeds[i + 2];
                    break;
                case 2:
                    bytes.Insert(position, (byte)seeds[i + 2]);
                    break;
                case 3 when bytes.Count > 1:
                    bytes.RemoveAt(position);
                    break;
                default:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
            }
        }

        return [.. bytes];
    }
}
