using System.Buffers;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Transport;

/// <summary>The single way bytes reach a connection's stream. Packets are encoded into a pending batch under a short
/// lock (which fixes their order); whoever finds no flush running becomes the flusher and writes the whole batch with
/// one stream write, so concurrent senders share syscalls and an idle connection pays no thread hop. The pending
/// batch is also the per-connection outgoing queue: <see cref="Backlog"/> tells the broker how far a slow reader
/// has fallen behind.</summary>
internal sealed class MqttPacketWriter
{
    /// <summary>Buffers that grew for a huge packet are dropped after use instead of pinning that memory forever.</summary>
    private const int RetainedBufferLimit = 1024 * 1024;

    private readonly Stream _stream;
    private readonly object _gate = new();
    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte>? _spare = new(4096);
    private List<(long Sequence, TaskCompletionSource Waiter)>? _waiters;
    private long _enqueued;
    private long _flushed;
    private bool _flushing;
    private Exception? _fault;
    private long _lastWriteTicks = Environment.TickCount64;

    public MqttPacketWriter(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Packets queued but not yet handed to the socket.</summary>
    public long Backlog
    {
        get
        {
            lock (_gate)
            {
                return _enqueued - _flushed;
            }
        }
    }

    /// <summary><see cref="Environment.TickCount64"/> of the last completed write, for keep-alive decisions.</summary>
    public long LastWriteTicks => Interlocked.Read(ref _lastWriteTicks);

    /// <summary>Encodes the packet into the pending batch and returns its sequence number for <see cref="FlushAsync"/>.</summary>
    /// <exception cref="ConnectionClosedException">The connection already failed.</exception>
    public long Enqueue(MqttPacket packet)
    {
        lock (_gate)
        {
            if (_fault is not null)
            {
                throw Closed();
            }

            MqttPacketEncoder.Encode(packet, _pending);
            return ++_enqueued;
        }
    }

    /// <summary>Like <see cref="Enqueue"/> but returns false instead of throwing on a failed connection.</summary>
    public bool TryEnqueue(MqttPacket packet, out long sequence)
    {
        lock (_gate)
        {
            if (_fault is not null)
            {
                sequence = 0;
                return false;
            }

            MqttPacketEncoder.Encode(packet, _pending);
            sequence = ++_enqueued;
            return true;
        }
    }

    public ValueTask WriteAsync(MqttPacket packet, CancellationToken cancellationToken) =>
        FlushAsync(Enqueue(packet), cancellationToken);

    /// <summary>Completes once every packet up to <paramref name="sequence"/> has been written to the stream.
    /// Cancelling stops the wait, not the write: bytes already batched still go out, keeping the stream intact.</summary>
    public ValueTask FlushAsync(long sequence, CancellationToken cancellationToken)
    {
        if (StartFlushIfIdle())
        {
            _ = FlushLoopAsync();
        }

        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_flushed >= sequence)
            {
                return ValueTask.CompletedTask;
            }

            if (_fault is not null)
            {
                return ValueTask.FromException(Closed());
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiters ??= []).Add((sequence, waiter));
        }

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Completes once everything queued so far has been written.</summary>
    public ValueTask FlushAllAsync(CancellationToken cancellationToken)
    {
        long sequence;
        lock (_gate)
        {
            sequence = _enqueued;
        }

        return FlushAsync(sequence, cancellationToken);
    }

    /// <summary>Starts writing whatever is pending without waiting for it (the broker's fan-out path).</summary>
    public void StartFlush()
    {
        if (StartFlushIfIdle())
        {
            _ = FlushLoopAsync();
        }
    }

    /// <summary>Marks the writer dead so nothing else is queued, and fails everyone waiting.</summary>
    public void Fail(Exception? reason = null)
    {
        List<(long, TaskCompletionSource)>? waiters;
        lock (_gate)
        {
            _fault ??= reason ?? new ConnectionClosedException();
            waiters = _waiters;
            _waiters = null;
        }

        FailWaiters(waiters);
    }

    private bool StartFlushIfIdle()
    {
        lock (_gate)
        {
            if (_flushing || _fault is not null || _pending.WrittenCount == 0)
            {
                return false;
            }

            _flushing = true;
            return true;
        }
    }

    /// <summary>Runs inline in the caller that started it for as long as writes complete synchronously; after its
    /// first batch it yields to the thread pool if more is pending, so the starter is never held hostage by other
    /// threads' traffic.</summary>
    private async Task FlushLoopAsync()
    {
        var first = true;
        while (true)
        {
            ArrayBufferWriter<byte> batch;
            long batchEnd;
            lock (_gate)
            {
                if (_pending.WrittenCount == 0 || _fault is not null)
                {
                    _flushing = false;
                    return;
                }

                batch = _pending;
                _pending = _spare ?? new ArrayBufferWriter<byte>(4096);
                _spare = null;
                batchEnd = _enqueued;
            }

            if (!first)
            {
                // ForceYielding without a captured context: continue on the thread pool, never on a caller's
                // synchronization context.
                await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }

            first = false;
            try
            {
                await _stream.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _flushing = false;
                }

                Fail(new ConnectionClosedException("Writing to the MQTT connection failed: " + ex.Message, ex));
                return;
            }

            Interlocked.Exchange(ref _lastWriteTicks, Environment.TickCount64);
            List<(long, TaskCompletionSource)>? done = null;
            lock (_gate)
            {
                _flushed = batchEnd;
                if (batch.Capacity <= RetainedBufferLimit)
                {
                    batch.ResetWrittenCount();
                    _spare = batch;
                }

                if (_waiters is { Count: > 0 } waiters)
                {
                    done = waiters.FindAll(w => w.Sequence <= batchEnd);
                    waiters.RemoveAll(w => w.Sequence <= batchEnd);
                }
            }

            if (done is not null)
            {
                foreach (var (_, waiter) in done)
                {
                    waiter.TrySetResult();
                }
            }
        }
    }

    private static void FailWaiters(List<(long, TaskCompletionSource)>? waiters)
    {
        if (waiters is null)
        {
            return;
        }

        foreach (var (_, waiter) in waiters)
        {
            waiter.TrySetException(new ConnectionClosedException());
        }
    }

    private ConnectionClosedException Closed() =>
        _fault as ConnectionClosedException ?? new ConnectionClosedException("The MQTT connection is closed.", _fault);
}
