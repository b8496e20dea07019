using System.IO.Pipelines;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Transport;

/// <summary>Reads packets from a pipe. Partial reads are normal: incomplete bytes stay in the pipe until the rest
/// arrives. <see cref="TryReadBuffered"/> lets the caller drain what is already buffered and then flush its answers
/// once for the whole batch.</summary>
internal sealed class MqttPacketReader
{
    private readonly PipeReader _pipe;
    private readonly int _maxPacketSize;

    public MqttPacketReader(PipeReader pipe, int maxPacketSize)
    {
        _pipe = pipe;
        _maxPacketSize = maxPacketSize;
    }

    /// <summary>The next packet, or null when the peer closed the stream cleanly between packets.</summary>
    /// <exception cref="MqttProtocolException">Malformed or oversized input, or the stream ended mid-packet.</exception>
    public ValueTask<MqttPacket?> ReadAsync(CancellationToken cancellationToken) => ReadAsync(_maxPacketSize, cancellationToken);

    /// <summary>As <see cref="ReadAsync(CancellationToken)"/>, with a lower size limit for this one packet.</summary>
    public async ValueTask<MqttPacket?> ReadAsync(int maxPacketSize, CancellationToken cancellationToken)
    {
        var limit = Math.Min(maxPacketSize, _maxPacketSize);
        while (true)
        {
            var result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TryConsume(result, limit, out var packet))
            {
                return packet;
            }

            if (result.IsCompleted)
            {
                return null;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The packet read was cancelled.");
            }
        }
    }

    /// <summary>Decodes a packet from bytes already received, without waiting.</summary>
    public bool TryReadBuffered(out MqttPacket? packet)
    {
        packet = null;
        return _pipe.TryRead(out var result) && TryConsume(result, _maxPacketSize, out packet) && packet is not null;
    }

    private bool TryConsume(ReadResult result, int maxPacketSize, out MqttPacket? packet)
    {
        var buffer = result.Buffer;
        bool decoded;
        try
        {
            decoded = MqttPacketDecoder.TryDecode(ref buffer, maxPacketSize, out packet);
        }
        catch
        {
            _pipe.AdvanceTo(result.Buffer.Start);
            throw;
        }

        if (decoded)
        {
            _pipe.AdvanceTo(buffer.Start);
            return true;
        }

        if (result.IsCompleted && !buffer.IsEmpty)
        {
            _pipe.AdvanceTo(buffer.Start);
            throw new MqttProtocolException($"The connection closed in the middle of a packet ({buffer.Length} bytes left over).");
        }

        // Everything was looked at, so the next read waits for new bytes instead of spinning.
        _pipe.AdvanceTo(buffer.Start, buffer.End);
        packet = null;
        return false;
    }
}
