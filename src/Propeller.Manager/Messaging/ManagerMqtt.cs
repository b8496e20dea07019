using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Manager.Metrics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Security;
using Propeller.Mqtt;

namespace Propeller.Manager.Messaging;

/// <summary>
/// The manager's MQTT connection: publishes start/stop to proplets and hands what proplets send to
/// <see cref="InboundProcessor"/>. The client acknowledges a QoS 1 message only after the handler
/// returns, so a result is acknowledged only once it is stored.
/// </summary>
public sealed class ManagerMqtt(
    ManagerOptions options,
    EmbeddedBroker broker,
    BrokerAccessPolicy access,
    PropletRegistry registry,
    ILogger<MqttClient> clientLogger,
    ILogger<ManagerMqtt> logger) : IHostedService, IControlPublisher, IAsyncDisposable
{
    private readonly Topics _topics = new(options.DomainId, options.ChannelId);
    private readonly CancellationTokenSource _stopping = new();
    private MqttClient? _client;
    private Task? _connecting;
    private volatile bool _subscribed;

    public Topics Topics => _topics;

    /// <summary>Set by <see cref="InboundProcessor"/> before this service connects.</summary>
    public Func<MqttApplicationMessage, CancellationToken, Task>? Handler { get; set; }

    public bool IsConnected => _client?.IsConnected ?? false;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var (host, port, useTls) = options.MqttAddress is { } address
            ? MqttClientOptions.ParseAddress(address)
            : (broker.Endpoint!.Address.ToString(), broker.Endpoint.Port, false);
        _client = new MqttClient(
            new MqttClientOptions
            {
                Host = host,
                Port = port,
                ClientId = options.ClientId,
                // On its own broker the manager proves itself with a secret of this run; elsewhere with its key.
                Username = options.MqttAddress is null || options.ClientKey is not null ? options.ClientId : null,
                Password = options.MqttAddress is null ? access.OwnPassword : options.ClientKey,
                // The broker keeps the manager's subscription and queues proplets' results while the manager is away.
                CleanSession = false,
                Tls = useTls ? TlsOptions(options.MqttTls) : null,
                MaxPacketSize = StartMessageSize.PacketBytesFor(options.MaxUploadBytes),
            },
            clientLogger);
        var handler = Handler ?? throw new InvalidOperationException("no handler for proplets' messages");
        _client.MessageHandler = (message, ct) =>
        {
            ManagerMetrics.MqttMessage("in", KindOf(message.Topic));
            return handler(message, ct);
        };
        _client.ConnectionChanged += connected =>
        {
            logger.Log(connected ? LogLevel.Information : LogLevel.Warning, connected ? "Connected to MQTT broker {host}:{port}" : "Lost the MQTT broker {host}:{port}; reconnecting", host, port);
            registry.Listening(connected && _subscribed);
            if (connected && _subscribed)
            {
                _ = PublishDiscoverAsync(_stopping.Token);
            }
        };

        // Keep trying in the background: the REST API is useful (and says what is wrong) while the broker is away.
        var settings = options.MqttAddress is null ? "the embedded broker"
            : useTls ? "MANAGER_MQTT_ADDRESS, MANAGER_MQTT_TLS_CA_CERT, MANAGER_MQTT_TLS_CLIENT_CERT, MANAGER_MQTT_TLS_CLIENT_KEY"
            : "MANAGER_MQTT_ADDRESS";
        _connecting = ConnectUntilReadyAsync(host, port, settings, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_connecting is not null)
        {
            await _connecting.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (_client is { IsConnected: true })
        {
            await _client.DisconnectAsync(cancellationToken);
        }
    }

    public Task PublishStartAsync(StartMessage message, CancellationToken cancellationToken) =>
        PublishAsync(_topics.ManagerStart, "start", JsonSerializer.SerializeToUtf8Bytes(message, PropellerJsonContext.Default.StartMessage), cancellationToken);

    public Task PublishStopAsync(StopMessage message, CancellationToken cancellationToken) =>
        PublishAsync(_topics.ManagerStop, "stop", JsonSerializer.SerializeToUtf8Bytes(message, PropellerJsonContext.Default.StopMessage), cancellationToken);

    /// <summary>Asks every proplet to announce itself again (after the manager's start or a reconnect). Best effort.</summary>
    public async Task PublishDiscoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            var discover = new DiscoverMessage { ManagerId = options.ClientId };
            await PublishAsync(_topics.ManagerDiscover, "discover", JsonSerializer.SerializeToUtf8Bytes(discover, PropellerJsonContext.Default.DiscoverMessage), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or MqttConnectionException or InvalidOperationException)
        {
            logger.LogDebug("Discovery request not sent: {reason}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <param name="kind">What the message is, for <c>propeller_mqtt_messages_total</c>; counted once the broker took it.</param>
    private async Task PublishAsync(string topic, string kind, byte[] payload, CancellationToken cancellationToken)
    {
        await _client!.PublishAsync(new MqttApplicationMessage(topic, payload, options.MqttQos), cancellationToken);
        ManagerMetrics.MqttMessage("out", kind);
    }

    /// <summary>A proplet's message by the last level of its topic; anything else is <c>other</c>, so a stray topic adds no series.</summary>
    private string KindOf(string topic) =>
        topic == _topics.PropletAlive ? "alive"
        : topic == _topics.PropletResults ? "results"
        : topic == _topics.PropletRunning ? "running"
        : topic == _topics.PropletCreate ? "create"
        : "other";

    private static MqttTlsOptions TlsOptions(MqttTlsFiles? files) => new()
    {
        CaCertificateFile = files?.CaCertificate,
        ClientCertificateFile = files?.ClientCertificate,
        ClientKeyFile = files?.ClientKey,
    };

    /// <param name="settings">What to check when it fails, for the log.</param>
    private async Task ConnectUntilReadyAsync(string host, int port, string settings, CancellationToken cancellationToken)
    {
        var client = _client!;
        var connected = await client.ConnectWithRetryAsync(
            (e, delay) => logger.LogWarning("Cannot connect to the MQTT broker at {host}:{port} ({settings}): {reason}; retrying in {delay} s", host, port, settings, e.Message, delay.TotalSeconds),
            cancellationToken);
        if (connected)
        {
            await client.SubscribeAsync(_topics.PropletAll, options.MqttQos, cancellationToken);
            _subscribed = true;
            registry.Listening(true);
            logger.LogInformation("Listening to proplets on {topic}", _topics.PropletAll);
            await PublishDiscoverAsync(cancellationToken);
        }
    }
}
