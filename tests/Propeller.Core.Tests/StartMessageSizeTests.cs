using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Messaging;

namespace Propeller.Core.Tests;

/// <summary>The MQTT packet size that carries a start message with its module inline, as the manager sends it.</summary>
public sealed class StartMessageSizeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1024 * 1024 + 1)]
    public void A_start_message_with_its_module_fits_the_packet_size_for_that_module(int moduleBytes)
    {
        var start = new StartMessage
        {
            Id = Guid.NewGuid(),
            Name = "wasi-nn-demo",
            File = new byte[moduleBytes],
            CliArgs = ["-S", "nn", "--dir=/home/proplet/fixture::fixture"],
            Inputs = [JsonSerializer.SerializeToElement("--tensor"), JsonSerializer.SerializeToElement(42)],
            Env = new() { ["GREETING"] = "hello" },
            PropletId = "proplet-1",
            Attempt = 1,
        };
        var topic = new Topics("propeller", "local").ManagerStart;
        // PUBLISH at QoS 1: fixed header (at most 5 bytes), topic (2 + length), packet id (2), payload.
        var packet = 5 + 2 + topic.Length + 2 + JsonSerializer.SerializeToUtf8Bytes(start, PropellerJsonContext.Default.StartMessage).Length;

        Assert.True(packet <= StartMessageSize.PacketBytesFor(moduleBytes), $"{packet} > {StartMessageSize.PacketBytesFor(moduleBytes)}");
    }

    [Fact]
    public void The_largest_module_fits_in_mqtts_largest_packet_and_larger_ones_are_held_to_it()
    {
        Assert.Equal(176_160_771, StartMessageSize.MaxModuleBytes);
        Assert.True(StartMessageSize.PacketBytesFor(StartMessageSize.MaxModuleBytes) <= StartMessageSize.MqttMaxPacketBytes);
        Assert.Equal(StartMessageSize.MqttMaxPacketBytes, StartMessageSize.PacketBytesFor(256L * 1024 * 1024));
        // The manager's default upload limit: 64 MiB of module is 89,478,488 bytes of base64, beyond a 64 MiB packet.
        Assert.Equal(89_478_488 + StartMessageSize.OtherFieldsBytes, StartMessageSize.PacketBytesFor(64L * 1024 * 1024));
    }
}
