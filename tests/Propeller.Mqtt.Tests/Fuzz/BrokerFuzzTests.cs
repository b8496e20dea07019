using System.Buffers;
using System.Net.Sockets;
using FsCheck.Fluent;
using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Tests.Support;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;
using static Propeller.Mqtt.Tests.Support.TestBroker;

namespace Propeller.Mqtt.Tests.Fuzz;

/// <summary>
/// Generated hostile bytes against a live in-process broker: random bytes, mutated and truncated packets, absurd
/// lengths, connections that stall. Each bad connection must be closed (at once, or by the CONNECT or keep-alive
/// timeout when it stalls), nothing may reach the broker's error log, and a well-behaved client keeps its
/// publish/subscribe round trip after every batch.
/// </summary>
[Collection(BrokerFuzzCollection.Name)]
public sealed class BrokerFuzzTests(ITestOutputHelper output)
{
    private const int RoundTripEvery = 25;

    [Fact]
    public async Task Hostile_connections_are_closed_and_a_healthy_client_keeps_its_round_trip()
    {
        var logger = new TestLogger<MqttBroker>();
        await using var broker = await StartAsync(options: new MqttBrokerOptions { Port = 0 }, logger: logger);
        await using var healthy = await HealthyClient.ConnectAsync(broker, output);
        var tried = 0;
        var stalled = new List<Task>();

        await FuzzRunner.CheckAsync("broker: hostile connection", HostileBytes.Connections, 400, async connection =>
        {
            // A stalled connection waits for its timeout; the others go on meanwhile and it is awaited at the end.
            var sending = SendAsync(broker, connection);
            if (connection.Stall)
            {
                stalled.Add(sending);
            }
            else
            {
                await sending;
            }

            if (Interlocked.Increment(ref tried) % RoundTripEvery == 0)
            {
                await healthy.RoundTripAsync();
            }
        }, output.WriteLine);

        await Guard.Within(Task.WhenAll(stalled), $"the {stalled.Count} stalled connections to be closed");
        await healthy.RoundTripAsync();
        AssertNoErrors(logger);
    }

    [Fact]
    public async Task Every_valid_packet_cut_at_every_position_closes_the_connection()
    {
        var logger = new TestLogger<MqttBroker>();
        await using var broker = await StartAsync(options: new MqttBrokerOptions { Port = 0 }, logger: logger);
        await using var healthy = await HealthyClient.ConnectAsync(broker, output);
        var tried = 0;

        foreach (var packet in HostileBytes.ValidPackets)
        {
            var isConnect = packet[0] >> 4 == (int)MqttPacketType.Connect;
            for (var cut = 1; cut < packet.Length; cut++)
            {
                await SendAsync(broker, new HostileConnection("truncated packet", AfterConnect: !isConnect, packet[..cut], Stall: false));
                tried++;
            }

            await healthy.RoundTripAsync();
        }

        output.WriteLine($"fuzz: broker: every cut of {HostileBytes.ValidPackets.Count} valid packets: {tried} inputs tried");
        AssertNoErrors(logger);
    }

    [Fact]
    public async Task Connections_that_stall_mid_packet_are_closed_by_the_connect_or_keep_alive_timeout()
    {
        var logger = new TestLogger<MqttBroker>();
        await using var broker = await StartAsync(options: new MqttBrokerOptions { Port = 0 }, logger: logger);
        await using var healthy = await HealthyClient.ConnectAsync(broker, output);
        var stalls = HostileBytes.ValidPackets
            .SelectMany(packet => new[] { packet[..1], packet[..(packet.Length / 2)], packet[..^1] })
            .SelectMany(bytes => new[] { new HostileConnection("stalled packet", false, bytes, Stall: true), new HostileConnection("stalled packet", true, bytes, Stall: true) })
            .Where(c => c.Bytes.Length > 0)
            .ToList();

        // All at once: each waits for its timeout (5 s before CONNECT, 1.5 x 1 s after), and together they show the broker serves others meanwhile.
        var closing = stalls.Select(c => SendAsync(broker, c)).ToList();
        await healthy.RoundTripAsync();
        await Guard.Within(Task.WhenAll(closing), "every stalled connection to be closed");

        output.WriteLine($"fuzz: broker: stalled connections: {stalls.Count} inputs tried");
        await healthy.RoundTripAsync();
        Assert.True(logger.Contains(LogLevel.Warning, "sent no CONNECT within"), "a connection stalled before CONNECT is closed by the CONNECT timeout");
        Assert.True(logger.Contains(LogLevel.Warning, "1.5 x keep-alive"), "a connection stalled after CONNECT is closed by the keep-alive rule");
        AssertNoErrors(logger);
    }

    [Fact]
    public void The_decoder_throws_only_protocol_errors_for_any_bytes()
    {
        var inputs = Gen.OneOf(HostileBytes.RandomBytes, HostileBytes.Mutated, HostileBytes.AbsurdLength, HostileBytes.Truncated);
        FuzzRunner.Check("decoder: any bytes", inputs, 5000, bytes =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            try
            {
                while (MqttPacketDecoder.TryDecode(ref buffer, 64 * 1024, out _))
                {
                }
            }
            catch (MqttProtocolException)
            {
                // The one way the decoder may refuse bytes.
            }
        }, output.WriteLine);
    }

    /// <summary>Opens a connection, sends the input, then closes its side or stalls, and waits until the broker closed it.</summary>
    private static async Task SendAsync(MqttBroker broker, HostileConnection connection)
    {
        await using var raw = await RawMqttConnection.ConnectAsync(broker.LocalEndPoint);
        try
        {
            if (connection.AfterConnect)
            {
                await raw.HandshakeAsync(new ConnectPacket("fuzz-" + Guid.NewGuid().ToString("N"), CleanSession: true, KeepAliveSeconds: 1));
            }

            await raw.SendAsync(connection.Bytes);
            if (!connection.Stall)
            {
                raw.CloseOutput();
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The broker closed the connection before it had all the bytes: what the property asks for.
            return;
        }

        try
        {
            await raw.WaitForCloseAsync();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the broker kept a hostile connection open: {connection}", e);
        }
    }

    private static void AssertNoErrors(TestLogger<MqttBroker> logger)
    {
        var errors = logger.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message).ToList();
        Assert.True(errors.Count == 0, "the broker logged errors (a hostile connection reached an unexpected path):\n" + string.Join('\n', errors));
    }
}

/// <summary>The memory test measures the whole process's allocations, so nothing else runs beside these tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerFuzzCollection
{
    public const string Name = "broker fuzz";
}
