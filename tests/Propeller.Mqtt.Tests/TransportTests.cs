using System.IO.Pipelines;
using Propeller.Mqtt.Broker;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Propeller.Mqtt.Tests;

/// <summary>The pieces under the client and broker, without sockets.</summary>
public class TransportTests
{
    [Fact]
    public async Task Concurrent_writers_produce_whole_packets_in_each_writers_order()
    {
        var pipe = new Pipe();
        var writer = new MqttPacketWriter(pipe.Writer.AsStream());
        const int Writers = 8;
        const int PerWriter = 500;

        var writing = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await writer.WriteAsync(new PublishPacket($"w/{w}", BitConverter.GetBytes(i)), CancellationToken.None);
            }
        })));
        var reader = new MqttPacketReader(pipe.Reader, 1024);
        var next = new int[Writers];
        for (var n = 0; n < Writers * PerWriter; n++)
        {
            var packet = Assert.IsType<PublishPacket>(await reader.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token));
            var w = int.Parse(packet.Topic[2..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[w]++, BitConverter.ToInt32(packet.Payload.Span));
        }

        await writing;
        Assert.Equal(0, writer.Backlog);
    }

    [Fact]
    public async Task Failed_writer_rejects_new_packets_and_fails_waiters()
    {
        var writer = new MqttPacketWriter(new MemoryStream(new byte[4], writable: false));

        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await writer.WriteAsync(PingReqPacket.Instance, CancellationToken.None));

        Assert.Throws<ConnectionClosedException>(() => writer.Enqueue(PingReqPacket.Instance));
        Assert.False(writer.TryEnqueue(PingReqPacket.Instance, out _));
    }

    [Fact]
    public void Packet_identifiers_are_unique_round_robin_and_bounded()
    {
        var pool = new PacketIdentifierPool();
        Assert.True(pool.TryAllocate(out var first));
        Assert.True(pool.TryAllocate(out var second));
        Assert.Equal((1, 2), (first, second));
        pool.Release(first);
        Assert.True(pool.TryAllocate(out var third));
        Assert.Equal(3, third);

        while (pool.Count < ushort.MaxValue)
        {
            Assert.True(pool.TryAllocate(out var id));
            Assert.NotEqual(0, id);
        }

        Assert.False(pool.TryAllocate(out _));
        pool.Release(7);
        Assert.True(pool.TryAllocate(out var reused));
        Assert.Equal(7, reused);
    }

    [Fact]
    public void Subscription_table_matches_once_per_session_at_the_highest_qos()
    {
        var table = new SubscriptionTable();
        var a = new BrokerSession("a", isClean: true, 10, NullLogger.Instance);
        var b = new BrokerSession("b", isClean: true, 10, NullLogger.Instance);
        table.Subscribe(a, "sport/#", MqttQos.AtMostOnce);
        table.Subscribe(a, "sport/+/player1", MqttQos.AtLeastOnce);
        table.Subscribe(b, "#", MqttQos.AtMostOnce);
        table.Subscribe(b, "$SYS/#", MqttQos.AtLeastOnce);

        var result = new Dictionary<BrokerSession, MqttQos>();
        table.Match("sport/tennis/player1", result);
        Assert.Equal(MqttQos.AtLeastOnce, result[a]);
        Assert.Equal(MqttQos.AtMostOnce, result[b]);

        result.Clear();
        table.Match("$SYS/uptime", result);
        Assert.Equal([b], result.Keys);
        Assert.Equal(MqttQos.AtLeastOnce, result[b]);

        result.Clear();
        table.Match("sport", result);
        Assert.Equal(2, result.Count);

        Assert.True(table.Unsubscribe(a, "sport/+/player1"));
        Assert.False(table.Unsubscribe(a, "sport/+/player1"));
        table.RemoveAll(b);
        result.Clear();
        table.Match("sport/tennis/player1", result);
        Assert.Equal(MqttQos.AtMostOnce, Assert.Single(result).Value);
        Assert.Equal(1, table.Count);
    }
}
