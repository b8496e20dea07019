using System.Runtime.InteropServices;
using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Core.Proplets;
using Propeller.Mqtt;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Messaging;

/// <summary>
/// The proplet's life on MQTT: connect (with a will that tells the manager it went away), announce
/// itself (at start, on every reconnect, and when the manager asks), heartbeat with the list of its
/// tasks, and turn start/stop messages addressed to it into runs. "Running" and results are published at
/// QoS 1; the client keeps them across reconnects, so a broker outage delays them, never loses them.
/// </summary>
public sealed class PropletWorker(
    PropletOptions options,
    TaskRunner runner,
    IWasmRuntime runtime,
    ILogger<MqttClient> clientLogger,
    ILogger<PropletWorker> logger) : BackgroundService
{
    private readonly Topics _topics = new(options.DomainId, options.ChannelId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (host, port, useTls) = MqttClientOptions.ParseAddress(options.MqttAddress);
        var offline = JsonSerializer.SerializeToUtf8Bytes(new AliveMessage { PropletId = options.ClientId, Status = "offline" }, PropellerJsonContext.Default.AliveMessage);
        await using var client = new MqttClient(
            new MqttClientOptions
            {
                Host = host,
                Port = port,
                ClientId = options.ClientId,
                Username = options.ClientKey is null ? null : options.ClientId,
                Password = options.ClientKey,
                KeepAlive = TimeSpan.FromSeconds(Math.Clamp(options.LivelinessInterval.TotalSeconds * 3, 5, 300)),
                Will = new MqttApplicationMessage(_topics.PropletAlive, offline, MqttQos.AtLeastOnce),
                Tls = useTls
                    ? new MqttTlsOptions
                    {
                        CaCertificateFile = options.MqttTls?.CaCertificate,
                        ClientCertificateFile = options.MqttTls?.ClientCertificate,
                        ClientKeyFile = options.MqttTls?.ClientKey,
                    }
                    : null,
                // Any start a manager can send: its module inline, up to what one MQTT packet carries.
                MaxPacketSize = StartMessageSize.MqttMaxPacketBytes,
            },
            clientLogger);
        client.MessageHandler = (message, _) =>
        {
            Handle(client, message, stoppingToken);
            return Task.CompletedTask;
        };
        var settings = useTls ? "PROPLET_MQTT_ADDRESS, PROPLET_MQTT_TLS_CA_CERT, PROPLET_MQTT_TLS_CLIENT_CERT, PROPLET_MQTT_TLS_CLIENT_KEY" : "PROPLET_MQTT_ADDRESS";
        var connected = await client.ConnectWithRetryAsync(
            (e, delay) => logger.LogWarning("Cannot connect to the MQTT broker at {host}:{port} ({settings}): {reason}; retrying in {delay} s", host, port, settings, e.Message, delay.TotalSeconds),
            stoppingToken);
        if (!connected)
        {
            return;
        }

        await client.SubscribeAsync(_topics.ManagerAll, options.MqttQos, stoppingToken);
        await AnnounceAsync(client, stoppingToken);
        client.ConnectionChanged += connected =>
        {
            if (connected)
            {
                // A manager that restarted (and its broker with it) learns about us again on every reconnect.
                _ = AnnounceAsync(client, stoppingToken);
            }
        };
        logger.LogInformation("Proplet {proplet_id} ready on {host}:{port}, runtime {runtime}", options.ClientId, host, port, runtime.Description);

        await HeartbeatAsync(client, stoppingToken);

        try
        {
            using var goodbye = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.PublishAsync(new MqttApplicationMessage(_topics.PropletAlive, offline, MqttQos.AtLeastOnce), goodbye.Token);
            await client.DisconnectAsync(goodbye.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or MqttConnectionException or IOException)
        {
            logger.LogDebug("Goodbye to the broker not delivered: {reason}", e.Message);
        }
    }

    private async Task AnnounceAsync(MqttClient client, CancellationToken cancellationToken)
    {
        var create = new CreateMessage
        {
            PropletId = options.ClientId,
            Name = options.Name,
            Metadata = new PropletMetadata
            {
                Os = RuntimeInformation.OSDescription,
                Hostname = Environment.MachineName,
                CpuArch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
                TotalMemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                PropletVersion = typeof(PropletWorker).Assembly.GetName().Version?.ToString(3),
                WasmRuntime = runtime.Description,
                WasmRuntimeVersion = runtime.Version,
                MaxTasks = options.MaxTasks,
                LivelinessInterval = Duration.Format(options.LivelinessInterval),
                NnEncodings = [.. runtime.NnEncodings],
                NnGraphs = [.. runtime.NnGraphs],
            },
        };
        try
        {
            await client.PublishAsync(new MqttApplicationMessage(_topics.PropletCreate, JsonSerializer.SerializeToUtf8Bytes(create, PropellerJsonContext.Default.CreateMessage), MqttQos.AtLeastOnce), cancellationToken);
            await PublishAliveAsync(client, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task PublishAliveAsync(MqttClient client, CancellationToken cancellationToken)
    {
        var alive = new AliveMessage
        {
            PropletId = options.ClientId,
            RunningTasks = runner.RunningCount,
            Tasks = [.. runner.Known],
            LivelinessInterval = Duration.Format(options.LivelinessInterval),
        };
        return client.PublishAsync(new MqttApplicationMessage(_topics.PropletAlive, JsonSerializer.SerializeToUtf8Bytes(alive, PropellerJsonContext.Default.AliveMessage), options.MqttQos), cancellationToken);
    }

    private async Task HeartbeatAsync(MqttClient client, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.LivelinessInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!client.IsConnected)
                {
                    continue;
                }

                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(options.LivelinessInterval);
                    await PublishAliveAsync(client, timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Heartbeat not acknowledged within {seconds} s", options.LivelinessInterval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The proplet is stopping.
        }
    }

    private void Handle(MqttClient client, MqttApplicationMessage message, CancellationToken stoppingToken)
    {
        try
        {
            Dispatch(client, message, stoppingToken);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Malformed message on {topic} dropped: {reason}", message.Topic, e.Message);
        }
    }

    /// <summary>Starts never block here: the run goes on in the background and reports when it ends.</summary>
    private void Dispatch(MqttClient client, MqttApplicationMessage message, CancellationToken stoppingToken)
    {
        if (message.Topic == _topics.ManagerStart)
        {
            var start = JsonSerializer.Deserialize(message.Payload.Span, PropellerJsonContext.Default.StartMessage)
                ?? throw new JsonException("empty start message");
            if (start.PropletId == options.ClientId)
            {
                runner.Start(
                    start,
                    new RunReporter(
                        running => PublishAsync(client, _topics.PropletRunning, JsonSerializer.SerializeToUtf8Bytes(running, PropellerJsonContext.Default.RunningMessage), running.TaskId, stoppingToken),
                        result => PublishAsync(client, _topics.PropletResults, JsonSerializer.SerializeToUtf8Bytes(result, PropellerJsonContext.Default.ResultMessage), result.TaskId, stoppingToken)),
                    stoppingToken);
            }
        }
        else if (message.Topic == _topics.ManagerStop)
        {
            var stop = JsonSerializer.Deserialize(message.Payload.Span, PropellerJsonContext.Default.StopMessage)
                ?? throw new JsonException("empty stop message");
            if (stop.PropletId == options.ClientId && !runner.Stop(stop.Id))
            {
                logger.LogInformation("Stop for task {task_id}, which does not run here, ignored", stop.Id);
            }
        }
        else if (message.Topic == _topics.ManagerDiscover)
        {
            logger.LogInformation("The manager asks proplets to announce themselves");
            _ = AnnounceAsync(client, stoppingToken);
        }
    }

    private async Task PublishAsync(MqttClient client, string topic, byte[] payload, Guid taskId, CancellationToken stoppingToken)
    {
        try
        {
            await client.PublishAsync(new MqttApplicationMessage(topic, payload, MqttQos.AtLeastOnce), stoppingToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("News of task {task_id} not delivered: the proplet is stopping", taskId);
        }
        catch (ArgumentException e)
        {
            logger.LogError("News of task {task_id} cannot be sent: {reason}", taskId, e.Message);
        }
    }
}
