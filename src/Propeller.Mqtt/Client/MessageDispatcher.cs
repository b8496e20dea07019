using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Client;

/// <summary>Runs the application's message handler off the reader loop, one message at a time in arrival order, and
/// acknowledges QoS 1 messages after it returns. Off the reader because a handler that publishes at QoS 1 and awaits
/// the PUBACK would otherwise deadlock waiting for the loop it is blocking.</summary>
internal sealed class MessageDispatcher
{
    private readonly Channel<(PublishPacket Packet, ClientConnection Connection)> _queue =
        Channel.CreateUnbounded<(PublishPacket, ClientConnection)>(new UnboundedChannelOptions { SingleReader = true });

    private const int MaxAcksPerWrite = 64;

    private readonly Func<Func<MqttApplicationMessage, CancellationToken, Task>?> _handler;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public MessageDispatcher(Func<Func<MqttApplicationMessage, CancellationToken, Task>?> handler, ILogger logger, CancellationToken stopping)
    {
        _handler = handler;
        _logger = logger;
        _stopping = stopping;
        _ = RunAsync();
    }

    public void Post(PublishPacket packet, ClientConnection connection) => _queue.Writer.TryWrite((packet, connection));

    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping).ConfigureAwait(false))
            {
                var unflushedAcks = 0;
                while (reader.TryRead(out var item))
                {
                    var delivery = DeliverAsync(item.Packet);
                    var handlerWaited = !delivery.IsCompleted;
                    await delivery.ConfigureAwait(false);
                    if (item.Packet.Qos == MqttQos.AtLeastOnce && item.Connection.Writer.TryEnqueue(new PubAckPacket(item.Packet.PacketId), out _))
                    {
                        unflushedAcks++;
                    }

                    // Acks of a burst of quick handlers share one write, but a long burst or a slow handler must not
                    // sit on them.
                    if (unflushedAcks > 0
                        && (handlerWaited || unflushedAcks >= MaxAcksPerWrite || !reader.TryPeek(out var next) || next.Connection != item.Connection))
                    {
                        item.Connection.Writer.StartFlush();
                        unflushedAcks = 0;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client was disconnected.
        }
    }

    private async Task DeliverAsync(PublishPacket packet)
    {
        var handler = _handler();
        if (handler is null)
        {
            return;
        }

        try
        {
            await handler(packet.ToMessage(), _stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            _logger.LogError(ex, "MQTT message handler failed for topic {topic}; the message is acknowledged anyway", packet.Topic);
        }
    }
}
