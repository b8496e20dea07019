using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Broker;

/// <summary>Server-side state of one client id (section 4.1): QoS 1 messages owed to the client and the connection
/// currently serving it, if any. Subscriptions live in the <see cref="SubscriptionTable"/>. With CleanSession=0 it
/// outlives connections, so messages published while the client is away wait here (bounded).</summary>
internal sealed class BrokerSession
{
    private readonly object _gate = new();
    private readonly InflightQueue<OutboundMessage> _inflight = new();
    private readonly PacketIdentifierPool _packetIds = new();
    private readonly int _maxQueued;
    private readonly ILogger _logger;
    private BrokerConnection? _connection;
    private long _droppedQos0;
    private long _droppedQos1;

    public BrokerSession(string clientId, bool isClean, int maxQueued, ILogger logger)
    {
        ClientId = clientId;
        IsClean = isClean;

        // Every QoS 1 message in flight needs its own packet identifier, so 65535 is a hard ceiling.
        _maxQueued = Math.Clamp(maxQueued, 1, ushort.MaxValue);
        _logger = logger;
    }

    public string ClientId { get; }

    /// <summary>CleanSession of the connection that owns it: a clean session is discarded when that connection ends.</summary>
    public bool IsClean { get; set; }

    public BrokerConnection? Connection
    {
        get
        {
            lock (_gate)
            {
                return _connection;
            }
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _inflight.Count;
            }
        }
    }

    /// <summary>Binds a connection. Under the same lock it queues the CONNACK and then every unacknowledged QoS 1
    /// message in original order, so nothing routed concurrently can overtake the CONNACK [MQTT-3.2.0-1] and
    /// re-sends come before new messages [MQTT-4.4.0-1].</summary>
    public void Attach(BrokerConnection connection, bool sessionPresent)
    {
        lock (_gate)
        {
            _connection = connection;
            var writer = connection.Writer;
            writer.TryEnqueue(new ConnAckPacket(sessionPresent, ConnectReturnCode.Accepted), out _);
            foreach (var (packetId, entry) in _inflight.InOrder())
            {
                if (!writer.TryEnqueue(ToPacket(packetId, entry, dup: entry.Sent), out _))
                {
                    break;
                }

                entry.Sent = true;
            }
        }

        connection.Writer.StartFlush();
    }

    /// <summary>Unbinds the connection if it is still the current one; false if another connection took over.</summary>
    public bool Detach(BrokerConnection connection)
    {
        lock (_gate)
        {
            if (_connection != connection)
            {
                return false;
            }

            _connection = null;
            return true;
        }
    }

    /// <summary>Queues a message for the client. QoS 0 goes out only to a connected client with room in its outgoing
    /// backlog; QoS 1 is kept until acknowledged, up to the per-client limit, which disconnects a connected client
    /// that lets it fill up (it cannot keep up, and holding more would only grow memory).</summary>
    public void Deliver(MqttApplicationMessage message, MqttQos qos, bool retain, DeliveryBatch batch)
    {
        BrokerConnection? overflowed = null;
        lock (_gate)
        {
            var connection = _connection;
            if (qos == MqttQos.AtMostOnce)
            {
                if (connection is null)
                {
                    return;
                }

                if (connection.Writer.Backlog >= _maxQueued)
                {
                    if (_droppedQos0++ % 1000 == 0)
                    {
                        _logger.LogWarning("Client {client_id} is not reading fast enough: dropped {count} QoS 0 messages so far", ClientId, _droppedQos0);
                    }

                    return;
                }

                if (connection.Writer.TryEnqueue(new PublishPacket(message.Topic, message.Payload, MqttQos.AtMostOnce, retain), out _))
                {
                    batch.Add(connection.Writer);
                }

                return;
            }

            if (_inflight.Count >= _maxQueued || !_packetIds.TryAllocate(out var packetId))
            {
                if (connection is not null)
                {
                    overflowed = connection;
                }
                else if (_droppedQos1++ % 1000 == 0)
                {
                    _logger.LogWarning("Offline session {client_id} has {limit} queued messages; dropped {count} QoS 1 messages so far", ClientId, _maxQueued, _droppedQos1);
                }
            }
            else
            {
                var entry = new OutboundMessage(message, retain);
                _inflight.Add(packetId, entry);
                if (connection is not null && connection.Writer.TryEnqueue(ToPacket(packetId, entry, dup: false), out _))
                {
                    entry.Sent = true;
                    batch.Add(connection.Writer);
                }
            }
        }

        if (overflowed is not null)
        {
            _logger.LogWarning("Client {client_id} has {limit} unacknowledged QoS 1 messages (MaxQueuedMessagesPerClient); disconnecting it", ClientId, _maxQueued);
            overflowed.Kick("too many unacknowledged messages", publishWill: true);
        }
    }

    public void Acknowledge(ushort packetId)
    {
        lock (_gate)
        {
            if (_inflight.TryRemove(packetId, out _))
            {
                _packetIds.Release(packetId);
            }
        }
    }

    private static PublishPacket ToPacket(ushort packetId, OutboundMessage entry, bool dup) =>
        new(entry.Message.Topic, entry.Message.Payload, MqttQos.AtLeastOnce, entry.Retain, dup, packetId);
}
