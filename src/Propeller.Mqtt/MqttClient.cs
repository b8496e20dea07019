using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Mqtt.Client;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt;

/// <summary>MQTT 3.1.1 client. It owns what must survive a reconnect (QoS 1 messages awaiting PUBACK, remembered
/// subscriptions, packet identifiers) and swaps <see cref="ClientConnection"/>s underneath: a supervisor waits for the
/// current one to die and builds the next with backoff.</summary>
public sealed class MqttClient : IMqttClient
{
    /// <summary>SUBSCRIBE packets sent when restoring subscriptions carry at most this many filters each.</summary>
    private const int ResubscribeBatchSize = 100;

    /// <summary>Set on the supervisor while it raises events, so a handler calling DisconnectAsync does not wait for
    /// the supervisor that is running it.</summary>
    private static readonly AsyncLocal<bool> InSupervisor = new();

    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly object _gate = new();
    private readonly InflightQueue<OutgoingPublish> _inflight = new();
    private readonly PacketIdentifierPool _packetIds = new();
    private readonly SubscriptionRegistry _subscriptions = new();
    private readonly ReconnectBackoff _backoff;

    private ClientState _state;
    private ClientConnection? _current;
    private TaskCompletionSource<ClientConnection> _ready = NewReadySignal();
    private CancellationTokenSource? _run;
    private MessageDispatcher? _dispatcher;
    private Task? _supervisor;
    private volatile bool _isConnected;

    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClientOptionsValidator.Validate(options);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _endpoint = $"{options.Host}:{options.Port}";
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay);
    }

    public event Action<bool>? ConnectionChanged;

    private enum ClientState
    {
        Idle,
        Connecting,
        Running,
        Stopping,
        Disposed,
    }

    public bool IsConnected => _isConnected;

    public Func<MqttApplicationMessage, CancellationToken, Task>? MessageHandler { get; set; }

    /// <summary>The session-present flag of the last CONNACK (tests and diagnostics).</summary>
    internal bool LastSessionPresent { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource run;
        MessageDispatcher dispatcher;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_state == ClientState.Disposed, this);
            if (_state != ClientState.Idle)
            {
                throw new InvalidOperationException("ConnectAsync was already called; the client reconnects by itself. Call DisconnectAsync first to start over.");
            }

            _state = ClientState.Connecting;
            run = new CancellationTokenSource();
            dispatcher = new MessageDispatcher(() => MessageHandler, _logger, run.Token);
            _run = run;
            _dispatcher = dispatcher;
        }

        ClientConnection? connection = null;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, run.Token);
            (connection, var sessionPresent) = await EstablishAsync(dispatcher, linked.Token).ConfigureAwait(false);
            await ActivateAsync(connection, sessionPresent, linked.Token).ConfigureAwait(false);

            // A ConnectionChanged handler may have called DisconnectAsync already.
            run.Token.ThrowIfCancellationRequested();
            lock (_gate)
            {
                _state = ClientState.Running;
            }
        }
        catch (Exception ex)
        {
            connection?.Close(null);

            // Calls made while connecting were waiting for this connection; they fail with it (before the state
            // goes back to Idle, so a new ConnectAsync cannot lose its own calls to this clean-up).
            AbandonPendingWork(ex is MqttConnectionException ? ex : new InvalidOperationException("The MQTT client failed to connect.", ex));
            lock (_gate)
            {
                _state = ClientState.Idle;
                _run = null;
                _dispatcher = null;
            }

            dispatcher.Complete();
            await run.CancelAsync().ConfigureAwait(false);
            run.Dispose();
            if (ex is MqttConnectionException or OperationCanceledException)
            {
                throw;
            }

            throw new MqttConnectionException($"Could not connect to MQTT broker at {_endpoint}: {ex.Message}", ex);
        }

        // Started outside the lock: if the connection already died, the supervisor runs on synchronously.
        var supervisor = SuperviseAsync(connection, run.Token);
        lock (_gate)
        {
            if (_run == run)
            {
                _supervisor = supervisor;
            }
        }
    }

    public async Task SubscribeAsync(string topicFilter, MqttQos qos, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilter);
        if (!MqttTopics.IsValidTopicFilter(topicFilter))
        {
            throw new ArgumentException($"'{topicFilter}' is not a valid MQTT topic filter ('+' and '#' must fill whole levels, '#' only last; not empty; at most 65535 bytes).", nameof(topicFilter));
        }

        ValidateQos(qos, nameof(qos));
        lock (_gate)
        {
            ThrowIfNotStarted();
            _subscriptions.Set(topicFilter, qos);
        }

        try
        {
            while (true)
            {
                var connection = await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
                MqttPacket response;
                try
                {
                    response = await RequestAsync(connection, id => new SubscribePacket(id, [new TopicSubscription(topicFilter, (byte)qos)]), cancellationToken).ConfigureAwait(false);
                }
                catch (ConnectionClosedException)
                {
                    continue;
                }

                if (response is not SubAckPacket { ReturnCodes.Count: 1 } subAck)
                {
                    throw new InvalidOperationException($"The MQTT broker at {_endpoint} answered SUBSCRIBE with {response.Type} instead of a SUBACK for one filter.");
                }

                if (subAck.ReturnCodes[0] == SubAckPacket.Failure)
                {
                    lock (_gate)
                    {
                        _subscriptions.Remove(topicFilter);
                    }

                    throw new InvalidOperationException($"The MQTT broker at {_endpoint} refused the subscription to '{topicFilter}' (SUBACK 0x80).");
                }

                _logger.LogDebug("Subscribed to {filter} at QoS {granted}", topicFilter, subAck.ReturnCodes[0]);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // A cancelled subscribe is not remembered; it may still have reached the broker.
            lock (_gate)
            {
                _subscriptions.Remove(topicFilter);
            }

            throw;
        }
    }

    public async Task UnsubscribeAsync(string topicFilter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilter);
        if (!MqttTopics.IsValidTopicFilter(topicFilter))
        {
            throw new ArgumentException($"'{topicFilter}' is not a valid MQTT topic filter.", nameof(topicFilter));
        }

        lock (_gate)
        {
            ThrowIfNotStarted();
            _subscriptions.Remove(topicFilter);
        }

        while (true)
        {
            var connection = await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await RequestAsync(connection, id => new UnsubscribePacket(id, [topicFilter]), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConnectionClosedException)
            {
                // Wait for the next connection and try again.
            }
        }
    }

    public Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!MqttTopics.IsValidTopicName(message.Topic))
        {
            throw new ArgumentException($"'{message.Topic}' is not a valid MQTT topic name (it must be non-empty, without '+' or '#', at most 65535 bytes).", nameof(message));
        }

        ValidateQos(message.Qos, nameof(message));
        var packet = new PublishPacket(message.Topic, message.Payload, message.Qos, message.Retain);
        var size = MqttPacketEncoder.GetEncodedSize(packet);
        if (size > _options.MaxPacketSize)
        {
            throw new ArgumentException($"The PUBLISH packet for topic '{message.Topic}' would be {size} bytes, larger than MaxPacketSize ({_options.MaxPacketSize} bytes).", nameof(message));
        }

        return message.Qos == MqttQos.AtMostOnce
            ? PublishAtMostOnceAsync(packet, cancellationToken)
            : PublishAtLeastOnceAsync(packet, cancellationToken);
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        ClientConnection? connection;
        CancellationTokenSource? run;
        Task? supervisor;
        MessageDispatcher? dispatcher;
        lock (_gate)
        {
            if (_state == ClientState.Connecting)
            {
                // The first ConnectAsync is still running: cancelling its run makes it fail and clean up.
                _run?.Cancel();
                return;
            }

            if (_state != ClientState.Running)
            {
                return;
            }

            _state = ClientState.Stopping;
            connection = _current;
            run = _run;
            supervisor = _supervisor;
            dispatcher = _dispatcher;
        }

        if (run is not null)
        {
            await run.CancelAsync().ConfigureAwait(false);
        }

        _isConnected = false;

        if (connection is not null)
        {
            try
            {
                await connection.Writer.WriteAsync(DisconnectPacket.Instance, cancellationToken).ConfigureAwait(false);
                await connection.CloseGracefullyAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ConnectionClosedException or OperationCanceledException)
            {
                // Gone already, or the caller stopped waiting: either way we close below.
            }
            finally
            {
                connection.Close(null);
            }
        }

        if (supervisor is not null && !InSupervisor.Value)
        {
            await supervisor.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        dispatcher?.Complete();
        AbandonPendingWork(new InvalidOperationException("The MQTT client was disconnected."));
        lock (_gate)
        {
            _run = null;
            _dispatcher = null;
            _supervisor = null;
            if (_state == ClientState.Stopping)
            {
                _state = ClientState.Idle;
            }
        }

        run?.Dispose();
        _logger.LogInformation("Disconnected from MQTT broker {endpoint}", _endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await DisconnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Best effort: disposal must not hang on a dead broker.
        }

        lock (_gate)
        {
            _state = ClientState.Disposed;
            _ready.TrySetException(new ObjectDisposedException(nameof(MqttClient)));
        }
    }

    /// <summary>Kills the current connection with a TCP reset, as a network failure would (tests).</summary>
    internal void AbortConnection()
    {
        ClientConnection? connection;
        lock (_gate)
        {
            connection = _current;
        }

        connection?.Abort();
    }

    /// <summary>Ends everything that waits for a connection or an acknowledgement, after a stop or a failed first
    /// connect: nothing will come for them any more.</summary>
    private void AbandonPendingWork(Exception reason)
    {
        List<OutgoingPublish> abandoned;
        TaskCompletionSource<ClientConnection> ready;
        lock (_gate)
        {
            abandoned = [.. _inflight.InOrder().Select(x => x.Item)];
            _inflight.Clear();
            _packetIds.Clear();
            _subscriptions.Clear();
            ready = _ready;
            _ready = NewReadySignal();
            _current = null;
        }

        ready.TrySetException(reason);
        foreach (var entry in abandoned)
        {
            entry.Acknowledged.TrySetException(new InvalidOperationException(
                $"The MQTT client stopped before the broker acknowledged the message to '{entry.Packet.Topic}': {reason.Message}", reason));
        }
    }

    private static TaskCompletionSource<ClientConnection> NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void ValidateQos(MqttQos qos, string parameterName)
    {
        if (qos is not (MqttQos.AtMostOnce or MqttQos.AtLeastOnce))
        {
            throw new ArgumentOutOfRangeException(parameterName, qos, "Only QoS 0 and 1 are supported.");
        }
    }

    private async Task PublishAtMostOnceAsync(PublishPacket packet, CancellationToken cancellationToken)
    {
        while (true)
        {
            var connection = await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await connection.Writer.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConnectionClosedException ex)
            {
                // The write never completed, so it did not reach the socket: send it on the next connection.
                connection.Close(ex);
            }
        }
    }

    private async Task PublishAtLeastOnceAsync(PublishPacket packet, CancellationToken cancellationToken)
    {
        OutgoingPublish entry;
        ClientConnection? connection;
        var enqueueFailed = false;
        lock (_gate)
        {
            ThrowIfNotStarted();
            if (!_packetIds.TryAllocate(out var packetId))
            {
                throw new InvalidOperationException("65535 QoS 1 messages are already awaiting PUBACK; no packet identifier is free.");
            }

            entry = new OutgoingPublish(packet with { PacketId = packetId });
            _inflight.Add(packetId, entry);

            // Queued under the lock so packets reach the wire in PublishAsync call order, after any re-sends.
            connection = _current;
            if (connection is not null)
            {
                entry.Sent = connection.Writer.TryEnqueue(entry.Packet, out _);
                enqueueFailed = !entry.Sent;
            }
        }

        if (enqueueFailed)
        {
            // The writer died before the reader noticed: close now so the reconnect (which re-sends this) starts.
            connection!.Close(new ConnectionClosedException("The connection failed while publishing."));
        }
        else
        {
            connection?.Writer.StartFlush();
        }

        try
        {
            await entry.Acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                // Never sent: forget it. Sent: it stays in flight and will be re-sent and acknowledged normally.
                if (!entry.Sent && _inflight.TryRemove(entry.Packet.PacketId, out _))
                {
                    _packetIds.Release(entry.Packet.PacketId);
                }
            }

            throw;
        }
    }

    private ValueTask<ClientConnection> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        Task<ClientConnection> ready;
        lock (_gate)
        {
            ThrowIfNotStarted();
            if (_current is { } connection)
            {
                return ValueTask.FromResult(connection);
            }

            ready = _ready.Task;
        }

        return new ValueTask<ClientConnection>(ready.WaitAsync(cancellationToken));
    }

    private void ThrowIfNotStarted()
    {
        ObjectDisposedException.ThrowIf(_state == ClientState.Disposed, this);
        if (_state is ClientState.Idle or ClientState.Stopping)
        {
            throw new InvalidOperationException("The MQTT client is not connected: call ConnectAsync first.");
        }
    }

    private async Task<MqttPacket> RequestAsync(ClientConnection connection, Func<ushort, MqttPacket> build, CancellationToken cancellationToken)
    {
        ushort packetId;
        lock (_gate)
        {
            if (!_packetIds.TryAllocate(out packetId))
            {
                throw new InvalidOperationException("No packet identifier is free.");
            }
        }

        try
        {
            var response = connection.RegisterRequest(packetId);
            await connection.Writer.WriteAsync(build(packetId), cancellationToken).ConfigureAwait(false);
            return await response.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.RemoveRequest(packetId);
            lock (_gate)
            {
                _packetIds.Release(packetId);
            }
        }
    }

    /// <summary>Connects and, once the broker accepted, starts the reader loop and keep-alive of the new connection.</summary>
    private async Task<(ClientConnection Connection, bool SessionPresent)> EstablishAsync(MessageDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var (connection, sessionPresent) = await ClientHandshake.ConnectAsync(_options, OnConnectionClosing, cancellationToken).ConfigureAwait(false);
        LastSessionPresent = sessionPresent;
        connection.Start((c, p) => OnPacket(c, p, dispatcher));
        if (_options.KeepAlive > TimeSpan.Zero)
        {
            _ = KeepAliveMonitor.RunAsync(connection, _options.KeepAlive, _endpoint, _logger);
        }

        return (connection, sessionPresent);
    }

    /// <summary>Restores subscriptions on a fresh session, re-sends unacknowledged QoS 1 messages (in order, before
    /// anything new) and only then makes the connection available to callers.</summary>
    private async Task ActivateAsync(ClientConnection connection, bool sessionPresent, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, MqttQos>> subscriptions;
        lock (_gate)
        {
            subscriptions = sessionPresent ? [] : _subscriptions.Snapshot();
        }

        if (subscriptions.Count > 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            foreach (var batch in subscriptions.Chunk(ResubscribeBatchSize))
            {
                var filters = batch.Select(s => new TopicSubscription(s.Key, (byte)s.Value)).ToList();
                var response = await RequestAsync(connection, id => new SubscribePacket(id, filters), timeout.Token).ConfigureAwait(false);
                if (response is SubAckPacket subAck)
                {
                    for (var i = 0; i < filters.Count && i < subAck.ReturnCodes.Count; i++)
                    {
                        if (subAck.ReturnCodes[i] == SubAckPacket.Failure)
                        {
                            _logger.LogWarning("MQTT broker {endpoint} refused the re-subscription to {filter}", _endpoint, filters[i].Filter);
                        }
                    }
                }
            }

            _logger.LogDebug("Re-subscribed {count} topic filters on {endpoint}", subscriptions.Count, _endpoint);
        }

        int resent;
        lock (_gate)
        {
            if (_state is ClientState.Stopping or ClientState.Disposed)
            {
                throw new OperationCanceledException("The client is disconnecting.");
            }

            resent = 0;
            foreach (var (_, entry) in _inflight.InOrder())
            {
                var packet = entry.Sent ? entry.Packet with { Dup = true } : entry.Packet;
                if (!connection.Writer.TryEnqueue(packet, out _))
                {
                    break;
                }

                entry.Sent = true;
                resent++;
            }

            _current = connection;
            _ready.TrySetResult(connection);
        }

        connection.Writer.StartFlush();
        _isConnected = true;
        _logger.LogInformation(
            "Connected to MQTT broker {endpoint} as {client_id} (session present: {session_present}, re-sent {resent} unacknowledged messages)",
            _endpoint,
            _options.ClientId,
            sessionPresent,
            resent);
        RaiseConnectionChanged(true);
    }

    /// <summary>Runs on the connection's reader loop; anything unexpected throws and so drops the connection.</summary>
    private void OnPacket(ClientConnection connection, MqttPacket packet, MessageDispatcher dispatcher)
    {
        switch (packet)
        {
            case PublishPacket publish:
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("Received PUBLISH {topic} ({bytes} bytes, QoS {qos})", publish.Topic, publish.Payload.Length, (int)publish.Qos);
                }

                dispatcher.Post(publish, connection);
                break;
            case PubAckPacket pubAck:
                OutgoingPublish? entry;
                lock (_gate)
                {
                    if (_inflight.TryRemove(pubAck.PacketId, out entry))
                    {
                        _packetIds.Release(pubAck.PacketId);
                    }
                }

                entry?.Acknowledged.TrySetResult();
                break;
            case SubAckPacket subAck:
                connection.CompleteRequest(subAck.PacketId, subAck);
                break;
            case UnsubAckPacket unsubAck:
                connection.CompleteRequest(unsubAck.PacketId, unsubAck);
                break;
            case PingRespPacket:
                break;
            default:
                throw new MqttProtocolException($"Unexpected {packet.Type} packet from the broker.");
        }
    }

    /// <summary>Called synchronously by a closing connection: stop handing it out before anyone sees it fail.</summary>
    private void OnConnectionClosing(ClientConnection connection)
    {
        lock (_gate)
        {
            if (_current == connection)
            {
                _current = null;
                _ready = NewReadySignal();
            }
        }
    }

    private async Task SuperviseAsync(ClientConnection connection, CancellationToken stopping)
    {
        InSupervisor.Value = true;
        while (true)
        {
            await connection.Closed.ConfigureAwait(false);
            _isConnected = false;
            if (stopping.IsCancellationRequested)
            {
                RaiseConnectionChanged(false);
                return;
            }

            _logger.LogWarning("Lost connection to MQTT broker {endpoint}: {reason}; reconnecting", _endpoint, connection.CloseReason?.Message ?? "closed");
            RaiseConnectionChanged(false);
            var next = await ReconnectAsync(stopping).ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            connection = next;
        }
    }

    private async Task<ClientConnection?> ReconnectAsync(CancellationToken stopping)
    {
        MessageDispatcher? dispatcher;
        lock (_gate)
        {
            dispatcher = _dispatcher;
        }

        if (dispatcher is null)
        {
            return null;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(_backoff.GetDelay(attempt), stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            ClientConnection? connection = null;
            try
            {
                (connection, var sessionPresent) = await EstablishAsync(dispatcher, stopping).ConfigureAwait(false);
                await ActivateAsync(connection, sessionPresent, stopping).ConfigureAwait(false);
                return connection;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                connection?.Close(null);
                return null;
            }
            catch (Exception ex)
            {
                connection?.Close(ex);
                _logger.LogWarning("Reconnect attempt {attempt} to MQTT broker {endpoint} failed: {reason}", attempt + 1, _endpoint, ex.Message);
            }
        }
    }

    private void RaiseConnectionChanged(bool connected)
    {
        var handlers = ConnectionChanged;
        if (handlers is null)
        {
            return;
        }

        var previous = InSupervisor.Value;
        InSupervisor.Value = true;
        try
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Action<bool>>())
            {
                try
                {
                    handler(connected);
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "A ConnectionChanged handler threw");
                }
            }
        }
        finally
        {
            InSupervisor.Value = previous;
        }
    }
}
