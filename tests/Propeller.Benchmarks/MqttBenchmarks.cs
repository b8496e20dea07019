using System.Diagnostics;
using Propeller.Mqtt;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>
/// The manager's embedded broker against Mosquitto, both in their own processes, driven by the project's
/// own client: delivered messages per second (one publisher, one subscriber) and round trips (a client
/// receiving what it publishes), at QoS 0 and 1, 1 KB and 256 KB. The brokers take turns, round by
/// round, so both see the same machine; ratios are taken within a round.
/// </summary>
public static class MqttBenchmarks
{
    /// <summary>QoS 1 messages a publisher keeps unacknowledged at once, as a busy client would.</summary>
    private const int Window = 64;

    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        using var directory = new TempDirectory("bench-mqtt");
        await using var manager = await ManagerProcess.StartAsync(directory, extraEnvironment: new Dictionary<string, string?> { ["MANAGER_LOG_LEVEL"] = "warn" });
        await using var mosquitto = await MosquittoProcess.StartAsync(logEverything: false);
        Broker[] brokers = [new("embedded", manager.BrokerPort), new("Mosquitto", mosquitto.Port)];
        var rounds = settings.Pick(2, 5);
        foreach (var qos in new[] { MqttQos.AtMostOnce, MqttQos.AtLeastOnce })
        {
            foreach (var size in new[] { 1024, 256 * 1024 })
            {
                var messages = size == 1024 ? settings.Pick(10_000, 50_000) : settings.Pick(200, 1_000);
                var pings = size == 1024 ? settings.Pick(300, 2_000) : settings.Pick(100, 500);
                var rates = brokers.ToDictionary(b => b, _ => new List<Rate>());
                var trips = brokers.ToDictionary(b => b, _ => new List<double>());
                var rateRatios = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    foreach (var broker in brokers)
                    {
                        rates[broker].Add(await ThroughputAsync(broker, qos, size, messages));
                        trips[broker].AddRange(await RoundTripsAsync(broker, qos, size, pings));
                    }

                    rateRatios.Add(rates[brokers[1]][^1].PerSecond / rates[brokers[0]][^1].PerSecond);
                }

                var what = $"QoS {(int)qos}, {(size == 1024 ? "1 KB" : "256 KB")}";
                var embedded = MedianRate(rates[brokers[0]]);
                var other = MedianRate(rates[brokers[1]]);
                var rateRatio = new Distribution(rateRatios).Median;
                report.Add(
                    $"messages/s, {what}: one publisher → broker → one subscriber{(qos == MqttQos.AtLeastOnce ? $", {Window} unacknowledged at most" : "")}",
                    $"embedded {embedded.Describe(size)}, Mosquitto {other.Describe(size)}",
                    $"Mosquitto ÷ embedded: {rateRatio:0.00}× (median of {rounds} rounds); goal ≤ 1.5× {(rateRatio <= 1.5 ? "✔" : "✘")}");
                var ours = new Distribution(trips[brokers[0]]);
                var theirs = new Distribution(trips[brokers[1]]);
                var tripRatio = ours.Median / theirs.Median;
                report.Add(
                    $"round trip, {what}: publish → broker → back to the same client",
                    $"embedded {ours.Describe()}; Mosquitto {theirs.Describe()}",
                    $"embedded ÷ Mosquitto (p50): {tripRatio:0.00}×; goal ≤ 1.5× {(tripRatio <= 1.5 ? "✔" : "✘")}");
            }
        }
    }

    /// <summary>Messages delivered per second from the first publish to the last delivery (QoS 0 may lose some; they are counted).</summary>
    private static async Task<Rate> ThroughputAsync(Broker broker, MqttQos qos, int size, int count)
    {
        var topic = $"bench/{Guid.NewGuid():N}";
        await using var subscriber = await ConnectAsync(broker, "subscriber");
        var received = 0;
        var lastReceived = 0L;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.MessageHandler = (_, _) =>
        {
            Volatile.Write(ref lastReceived, Stopwatch.GetTimestamp());
            if (Interlocked.Increment(ref received) == count)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(topic, qos);
        await using var publisher = await ConnectAsync(broker, "publisher");
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var message = new MqttApplicationMessage(topic, payload, qos);

        var started = Stopwatch.GetTimestamp();
        if (qos == MqttQos.AtMostOnce)
        {
            for (var i = 0; i < count; i++)
            {
                await publisher.PublishAsync(message);
            }
        }
        else
        {
            using var window = new SemaphoreSlim(Window);
            var sent = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                await window.WaitAsync();
                sent.Add(PublishThenReleaseAsync(publisher, message, window));
            }

            await Task.WhenAll(sent);
        }

        // All delivered, or nothing more arriving (QoS 0 messages a broker dropped never will).
        var seen = -1;
        while (!all.Task.IsCompleted && Volatile.Read(ref received) != seen)
        {
            seen = Volatile.Read(ref received);
            await Task.WhenAny(all.Task, Task.Delay(Stalled));
        }

        var delivered = Volatile.Read(ref received);
        if (qos == MqttQos.AtLeastOnce && delivered < count)
        {
            throw new InvalidOperationException($"{broker.Name}: only {delivered} of {count} QoS 1 messages were delivered");
        }

        return new Rate(delivered / Stopwatch.GetElapsedTime(started, Volatile.Read(ref lastReceived)).TotalSeconds, delivered, count);
    }

    private static async Task PublishThenReleaseAsync(MqttClient publisher, MqttApplicationMessage message, SemaphoreSlim window)
    {
        try
        {
            await publisher.PublishAsync(message);
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>Milliseconds from publishing to receiving it back (and, at QoS 1, the broker's acknowledgement), one message at a time.</summary>
    private static async Task<List<double>> RoundTripsAsync(Broker broker, MqttQos qos, int size, int count)
    {
        var topic = $"bench/{Guid.NewGuid():N}";
        await using var client = await ConnectAsync(broker, "ping");
        TaskCompletionSource? back = null;
        client.MessageHandler = (_, _) =>
        {
            back?.TrySetResult();
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(topic, qos);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var message = new MqttApplicationMessage(topic, payload, qos);
        var samples = new List<double>(count);
        var warmups = count / 10;
        for (var i = 0; i < warmups + count; i++)
        {
            back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = Stopwatch.GetTimestamp();
            await client.PublishAsync(message);
            await back.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= warmups)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return samples;
    }

    private static async Task<MqttClient> ConnectAsync(Broker broker, string role)
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = $"bench-{role}-{Guid.NewGuid():N}" });
        try
        {
            await client.ConnectAsync();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static Rate MedianRate(List<Rate> rates) => rates.OrderBy(r => r.PerSecond).ElementAt((rates.Count - 1) / 2);

    private sealed record Broker(string Name, int Port);

    private sealed record Rate(double PerSecond, int Delivered, int Sent)
    {
        public string Describe(int size) =>
            $"{PerSecond:0}/s{(size >= 64 * 1024 ? $" ({PerSecond * size / (1024 * 1024):0} MB/s)" : "")}{(Delivered < Sent ? $" ({Sent - Delivered} of {Sent} dropped)" : "")}";
    }
}
