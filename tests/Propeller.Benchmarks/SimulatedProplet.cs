using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Core.Proplets;
using Propeller.Mqtt;

namespace Propeller.Benchmarks;

/// <summary>
/// A proplet as the manager sees it on MQTT, without a runtime: it connects with the offline will, announces
/// itself (and again when the manager asks), heartbeats on <c>alive</c> every second with the JSON a proplet
/// sends, and answers each start addressed to it with "running" and then a result, as a real proplet does
/// after a run that takes no time. Light enough for a thousand in one process.
/// </summary>
public sealed class SimulatedProplet : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly JsonElement Output = JsonSerializer.SerializeToElement("hello\n", PropellerJsonContext.Default.String);

    private readonly Topics _topics;
    private readonly MqttClient _client;
    private readonly byte[] _addressedToMe;
    private readonly ConcurrentDictionary<Guid, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeats;
    private int _tasksAnswered;
    private int _heartbeatsMissed;

    public SimulatedProplet(string id, int brokerPort, Topics topics)
    {
        Id = id;
        _topics = topics;

        // Every proplet receives every start (upstream's protocol); only those naming it are parsed.
        _addressedToMe = Encoding.UTF8.GetBytes($"\"proplet_id\":\"{id}\"");
        var offline = JsonSerializer.SerializeToUtf8Bytes(new AliveMessage { PropletId = id, Status = "offline" }, PropellerJsonContext.Default.AliveMessage);
        _client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = brokerPort,
            ClientId = id,
            KeepAlive = TimeSpan.FromSeconds(5),
            Will = new MqttApplicationMessage(topics.PropletAlive, offline, MqttQos.AtLeastOnce),
        });
        _client.MessageHandler = HandleAsync;
    }

    public string Id { get; }

    /// <summary>Start messages received, for every proplet (the broker's fan-out).</summary>
    public long StartsSeen { get; private set; }

    public int TasksAnswered => Volatile.Read(ref _tasksAnswered);

    /// <summary>Heartbeats the broker did not acknowledge within the interval (the proplet was too slow or cut off).</summary>
    public int HeartbeatsMissed => Volatile.Read(ref _heartbeatsMissed);

    /// <summary>Connects, subscribes, announces itself and starts heartbeating; returns the Stopwatch timestamp taken just before the announcement.</summary>
    public async Task<long> JoinAsync()
    {
        await _client.ConnectAsync();
        await _client.SubscribeAsync(_topics.ManagerAll, MqttQos.AtLeastOnce);
        var announced = Stopwatch.GetTimestamp();
        await AnnounceAsync();
        await PublishAliveAsync();
        _heartbeats = HeartbeatAsync(_stopping.Token);
        return announced;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_heartbeats is not null)
        {
            await _heartbeats;
        }

        await _client.DisposeAsync();
        _stopping.Dispose();
    }

    private Task AnnounceAsync()
    {
        var create = new CreateMessage
        {
            PropletId = Id,
            Name = Id,
            Metadata = new PropletMetadata
            {
                Os = "simulated",
                Hostname = Environment.MachineName,
                CpuArch = "x64",
                WasmRuntime = "simulated",
                LivelinessInterval = "1s",
                NnEncodings = [],
                NnGraphs = [],
            },
        };
        return Publish(_topics.PropletCreate, JsonSerializer.SerializeToUtf8Bytes(create, PropellerJsonContext.Default.CreateMessage));
    }

    private Task PublishAliveAsync()
    {
        var alive = new AliveMessage { PropletId = Id, RunningTasks = _running.Count, Tasks = [.. _running.Keys], LivelinessInterval = "1s" };
        return Publish(_topics.PropletAlive, JsonSerializer.SerializeToUtf8Bytes(alive, PropellerJsonContext.Default.AliveMessage));
    }

    /// <summary>Every second from a random phase, so a thousand of them do not beat in step.</summary>
    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(Random.Shared.Next((int)Interval.TotalMilliseconds), stopping);
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await PublishAliveAsync().WaitAsync(Interval, stopping);
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref _heartbeatsMissed);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private Task HandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (message.Topic == _topics.ManagerStart)
        {
            StartsSeen++;
            if (message.Payload.Span.IndexOf(_addressedToMe) >= 0)
            {
                var start = JsonSerializer.Deserialize(message.Payload.Span, PropellerJsonContext.Default.StartMessage)!;
                if (start.PropletId == Id && _running.TryAdd(start.Id, 0))
                {
                    _ = AnswerAsync(start);
                }
            }
        }
        else if (message.Topic == _topics.ManagerDiscover)
        {
            _ = AnnounceAsync();
        }

        return Task.CompletedTask;
    }

    /// <summary>"running", then the result, both at QoS 1; the task leaves the heartbeat's list once the result is acknowledged.</summary>
    private async Task AnswerAsync(StartMessage start)
    {
        try
        {
            var running = new RunningMessage { TaskId = start.Id, PropletId = Id, Attempt = start.Attempt };
            await Publish(_topics.PropletRunning, JsonSerializer.SerializeToUtf8Bytes(running, PropellerJsonContext.Default.RunningMessage));
            var result = new ResultMessage { TaskId = start.Id, PropletId = Id, Attempt = start.Attempt, Results = Output, ExitCode = 0 };
            await Publish(_topics.PropletResults, JsonSerializer.SerializeToUtf8Bytes(result, PropellerJsonContext.Default.ResultMessage));
            Interlocked.Increment(ref _tasksAnswered);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or MqttConnectionException)
        {
            // Disposed while answering: the benchmark is over.
        }
        finally
        {
            _running.TryRemove(start.Id, out _);
        }
    }

    private Task Publish(string topic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessage(topic, payload, MqttQos.AtLeastOnce), _stopping.Token);
}
