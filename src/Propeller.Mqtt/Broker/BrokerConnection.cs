using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Broker;

/// <summary>One client's TCP connection to the broker: the CONNECT handshake, the packet loop, keep-alive
/// enforcement and the clean-up that decides whether the will is published. Every failure stays inside this
/// connection: it is logged and the socket is closed, nothing else is affected.</summary>
internal sealed class BrokerConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BrokerContext _broker;
    private readonly ILogger _logger;
    private readonly MqttPacketReader _reader;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WillMessageSlot _will = new();
    private readonly DeliveryBatch _batch = new();
    private readonly EndPoint? _remote;
    private BrokerSession? _session;
    private MqttConnectRequest? _request;
    private string _name;
    private string? _kickReason;
    private volatile bool _suppressWill;

    public BrokerConnection(Socket socket, BrokerContext broker)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _broker = broker;
        _logger = broker.Logger;
        _remote = socket.RemoteEndPoint;
        _name = _remote?.ToString() ?? "unknown peer";
        _reader = new MqttPacketReader(
            PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true)),
            broker.Options.MaxPacketSize);
        Writer = new MqttPacketWriter(_stream);
    }

    public MqttPacketWriter Writer { get; }

    public async Task RunAsync()
    {
        var reason = "connection lost";
        try
        {
            var connect = await ReadConnectAsync().ConfigureAwait(false);
            if (connect is null || !await AcceptAsync(connect).ConfigureAwait(false))
            {
                return;
            }

            reason = await ServeAsync(connect).ConfigureAwait(false);
        }
        catch (MqttProtocolException ex)
        {
            reason = "protocol violation: " + ex.Message;
            _logger.LogWarning("Closing MQTT connection {client}: protocol violation: {reason}", _name, ex.Message);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            reason = _kickReason ?? "closed by the broker";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = "connection lost: " + ex.Message;
        }
        catch (Exception ex)
        {
            reason = "internal error: " + ex.Message;
            _logger.LogError(ex, "Unexpected error on MQTT connection {client}; closing it", _name);
        }
        finally
        {
            CleanUp(reason);
        }
    }

    /// <summary>What the client presented in its CONNECT; null until it was accepted.</summary>
    public MqttConnectRequest? Request => _request;

    /// <summary>Asks the connection to close from outside (take-over, overflow, broker shutdown).</summary>
    public void Kick(string reason, bool publishWill)
    {
        _kickReason ??= reason;
        if (!publishWill)
        {
            _suppressWill = true;
        }

        // Asynchronously: the caller may hold locks, and the read loop's clean-up must not run on its stack.
        _ = _abort.CancelAsync();
    }

    /// <summary>Disconnects this connection because another one connected with its client id, and waits for its
    /// clean-up. Its will is published: [MQTT-3.1.2-8] publishes the will whenever the network connection closes
    /// without a DISCONNECT, and section 3.1.4 (take-over, [MQTT-3.1.4-2]) makes no exception.</summary>
    /// <returns>false if the clean-up did not finish in time.</returns>
    public async Task<bool> TakeOverAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Kick("taken over by a new connection with the same client id", publishWill: true);
        try
        {
            await _finished.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task Finished => _finished.Task;

    /// <summary>
    /// The largest CONNECT MQTT 3.1.1 can encode: a 5-byte fixed header, the 10-byte variable header and five
    /// length-prefixed fields (client id, will topic, will payload, user name, password) of at most 65,535 bytes each.
    /// A first packet announcing more is refused at its header: a client that has not even said who it is must not
    /// make the broker buffer <see cref="MqttBrokerOptions.MaxPacketSize"/> bytes.
    /// </summary>
    internal const int MaxConnectPacketSize = 5 + 10 + (5 * (2 + ushort.MaxValue));

    private async Task<ConnectPacket?> ReadConnectAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        timeout.CancelAfter(BrokerContext.ConnectTimeout);
        MqttPacket? first;
        try
        {
            first = await _reader.ReadAsync(MaxConnectPacketSize, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
        {
            _logger.LogWarning("MQTT connection {client} sent no CONNECT within {timeout}; closing it", _name, BrokerContext.ConnectTimeout);
            return null;
        }

        if (first is null)
        {
            _logger.LogDebug("MQTT connection {client} closed before sending CONNECT", _name);
            return null;
        }

        if (first is not ConnectPacket connect)
        {
            _logger.LogWarning("MQTT connection {client} sent {type} before CONNECT [MQTT-3.1.0-1]; closing it", _name, first.Type);
            return null;
        }

        return connect;
    }

    private async Task<bool> AcceptAsync(ConnectPacket connect)
    {
        var (code, request, refusal) = ConnectValidator.Validate(connect, _remote, _broker.Options, _logger);
        if (code != ConnectReturnCode.Accepted || request is null)
        {
            _logger.LogWarning("Refused MQTT client '{client_id}' from {remote}: {reason} (CONNACK {code})", connect.ClientId, _name, refusal, (byte)code);

            // A refusing CONNACK is followed by closing the connection [MQTT-3.2.2-5].
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            timeout.CancelAfter(BrokerContext.ConnectTimeout);
            await Writer.WriteAsync(new ConnAckPacket(false, code), timeout.Token).ConfigureAwait(false);
            return false;
        }

        _request = request;
        _name = $"{request.ClientId} ({_remote})";
        _will.Set(connect.Will);
        var (session, sessionPresent) = await _broker.Sessions.AttachAsync(request.ClientId, connect.CleanSession, this, _abort.Token).ConfigureAwait(false);
        _session = session;
        _broker.ClientConnected();
        _logger.LogInformation(
            "MQTT client {client_id} connected from {remote} (clean session: {clean}, keep-alive: {keep_alive} s, session present: {session_present})",
            request.ClientId,
            _remote,
            connect.CleanSession,
            connect.KeepAliveSeconds,
            sessionPresent);
        return true;
    }

    /// <summary>The packet loop. Returns why it ended normally; throws for violations and I/O failures.</summary>
    private async Task<string> ServeAsync(ConnectPacket connect)
    {
        // The server allows one and a half keep-alive periods of silence [MQTT-3.1.2-24].
        var keepAlive = connect.KeepAliveSeconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(connect.KeepAliveSeconds * 1.5);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        while (true)
        {
            idle.CancelAfter(keepAlive);
            MqttPacket? packet;
            try
            {
                packet = await _reader.ReadAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
            {
                _logger.LogWarning("MQTT client {client} sent nothing for {timeout} (1.5 x keep-alive); closing it", _name, keepAlive);
                return "keep-alive timeout";
            }

            if (packet is null)
            {
                return "closed by the client without DISCONNECT";
            }

            var keepGoing = Handle(packet);
            while (keepGoing && _reader.TryReadBuffered(out var next))
            {
                keepGoing = Handle(next!);
            }

            _batch.Flush();
            if (!keepGoing)
            {
                return "DISCONNECT";
            }

            if (Writer.Backlog > _broker.Options.MaxQueuedMessagesPerClient)
            {
                // The client sends faster than it reads its own acknowledgements: stop reading until it catches up.
                await Writer.FlushAllAsync(idle.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Handles one packet; false means the client said DISCONNECT.</summary>
    private bool Handle(MqttPacket packet)
    {
        switch (packet)
        {
            case PublishPacket publish:
                HandlePublish(publish);
                return true;
            case PubAckPacket pubAck:
                _session!.Acknowledge(pubAck.PacketId);
                return true;
            case SubscribePacket subscribe:
                HandleSubscribe(subscribe);
                return true;
            case UnsubscribePacket unsubscribe:
                foreach (var filter in unsubscribe.TopicFilters)
                {
                    _broker.Subscriptions.Unsubscribe(_session!, filter);
                }

                _logger.LogDebug("{client} unsubscribed from {filters}", _name, unsubscribe.TopicFilters);
                Send(new UnsubAckPacket(unsubscribe.PacketId));
                return true;
            case PingReqPacket:
                Send(PingRespPacket.Instance);
                return true;
            case DisconnectPacket:
                // A clean goodbye: the will is deleted, not published [MQTT-3.14.4-3].
                _will.Discard();
                return false;
            case ConnectPacket:
                throw new MqttProtocolException("second CONNECT on the same connection [MQTT-3.1.0-2]");
            default:
                throw new MqttProtocolException($"{packet.Type} is a server-to-client packet");
        }
    }

    private void HandlePublish(PublishPacket publish)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("{client} published {topic} ({bytes} bytes, QoS {qos}, retain {retain})", _name, publish.Topic, publish.Payload.Length, (int)publish.Qos, publish.Retain);
        }

        var message = publish.ToMessage();
        if (IsAllowed(_broker.Options.AuthorizePublish, message, message.Topic))
        {
            _broker.Router.Publish(message, _batch);
        }
        else
        {
            // 3.1.1 has no negative acknowledgement, so a denied QoS 1 message is still acknowledged below.
            _logger.LogWarning("{client} is not authorized to publish to {topic}; message dropped", _name, publish.Topic);
        }

        if (publish.Qos == MqttQos.AtLeastOnce)
        {
            Send(new PubAckPacket(publish.PacketId));
        }
    }

    private void HandleSubscribe(SubscribePacket subscribe)
    {
        var session = _session!;
        var codes = new byte[subscribe.Subscriptions.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            var (filter, requested) = subscribe.Subscriptions[i];
            if (!IsAllowed(_broker.Options.AuthorizeSubscribe, filter, filter))
            {
                _logger.LogWarning("{client} is not authorized to subscribe to {filter}", _name, filter);
                codes[i] = SubAckPacket.Failure;
                continue;
            }

            // QoS 2 is not spoken here; granting a lower QoS than asked is allowed [MQTT-3.8.4-6].
            var granted = requested == 0 ? MqttQos.AtMostOnce : MqttQos.AtLeastOnce;
            _broker.Subscriptions.Subscribe(session, filter, granted);
            codes[i] = (byte)granted;
            _logger.LogDebug("{client} subscribed to {filter} (granted QoS {qos})", _name, filter, (int)granted);
        }

        Send(new SubAckPacket(subscribe.PacketId, codes));

        // Retained messages follow the SUBACK, flagged RETAIN=1 [MQTT-3.3.1-6], [MQTT-3.3.1-8].
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] == SubAckPacket.Failure)
            {
                continue;
            }

            var granted = (MqttQos)codes[i];
            foreach (var retained in _broker.Retained.Match(subscribe.Subscriptions[i].Filter))
            {
                session.Deliver(retained, retained.Qos < granted ? retained.Qos : granted, retain: true, _batch);
            }
        }
    }

    private bool IsAllowed<T>(Func<MqttConnectRequest, T, bool>? hook, T subject, string topic)
    {
        if (hook is null)
        {
            return true;
        }

        try
        {
            return hook(_request!, subject);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "An authorization hook threw for {client} on {topic}; denying", _name, topic);
            return false;
        }
    }

    private void Send(MqttPacket packet)
    {
        if (Writer.TryEnqueue(packet, out _))
        {
            _batch.Add(Writer);
        }
    }

    private void CleanUp(string reason)
    {
        try
        {
            var will = _will.Take();
            if (will is not null && !_suppressWill && _request is not null)
            {
                if (IsAllowed(_broker.Options.AuthorizePublish, will, will.Topic))
                {
                    _logger.LogInformation("Publishing the will of {client} to {topic} ({reason})", _name, will.Topic, reason);
                    var batch = new DeliveryBatch();
                    _broker.Router.Publish(will, batch);
                    batch.Flush();
                }
                else
                {
                    _logger.LogWarning("{client} is not authorized to publish its will to {topic}; dropped", _name, will.Topic);
                }
            }

            if (_session is not null)
            {
                _broker.Sessions.Release(_session, this);
                _broker.ClientDisconnected();
                _logger.LogInformation("MQTT client {client} disconnected: {reason}", _name, reason);
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Error while cleaning up MQTT connection {client}", _name);
        }
        finally
        {
            Writer.Fail(new ConnectionClosedException("The connection is closed: " + reason));
            _stream.Dispose();
            _socket.Dispose();
            _finished.TrySetResult();
        }
    }
}
