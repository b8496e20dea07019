using System.Buffers;
using BenchmarkDotNet.Attributes;
using Propeller.Mqtt;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Benchmarks.Micro;

/// <summary>The MQTT codec on what the system sends most: a QoS 1 PUBLISH of a 1 KB payload.</summary>
public class MqttCodecMicro
{
    private readonly ArrayBufferWriter<byte> _output = new(2048);
    private PublishPacket _packet = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        _packet = new PublishPacket("m/domain/c/channel/control/proplet/results", payload, MqttQos.AtLeastOnce, PacketId: 42);
        _encoded = MqttPacketEncoder.Encode(_packet);
    }

    [Benchmark(Description = "MQTT: encode a QoS 1 PUBLISH, 1 KB payload")]
    public int Encode()
    {
        _output.ResetWrittenCount();
        return MqttPacketEncoder.Encode(_packet, _output);
    }

    [Benchmark(Description = "MQTT: decode a QoS 1 PUBLISH, 1 KB payload")]
    public object Decode()
    {
        var buffer = new ReadOnlySequence<byte>(_encoded);
        return MqttPacketDecoder.TryDecode(ref buffer, int.MaxValue, out var packet) ? packet : throw new InvalidOperationException("the PUBLISH did not decode");
    }
}
