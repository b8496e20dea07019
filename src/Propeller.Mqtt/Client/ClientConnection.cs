using System.IO.Pipelines;
using System.Net.Sockets;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Client;

/// <summary>One TCP connection of the client (plain, or TLS over it): its socket, reader loop, writer and the
/// SUBACK/UNSUBACK waiters that belong to it. It dies once; the client replaces it with a new one rather than reviving it.</summary>
internal sealed class ClientConnection
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TlsClientSession? _tls;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ushort, TaskCompletionSource<MqttPacket>> _requests = [];
    private readonly Action<ClientConnection> _onClosed;
    private long _lastReceivedTicks = Environment.TickCount64;
    private int _closeStarted;

    private ClientConnection(Socket socket, Stream stream, TlsClientSession? tls, int maxPacketSize, Action<ClientConnection> onClosed)
    {
        _socket = socket;
        _stream = stream;
        _tls = tls;
        _onClosed = onClosed;
        Reader = new MqttPacketReader(PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true)), maxPacketSize);
        Writer = new MqttPacketWriter(_stream);
    }

    public MqttPacketReader Reader { get; }

    public MqttPacketWriter Writer { get; }

    /// <summary>Completes (never faults) once the connection is closed for whatever reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why it closed: null for a clean close, otherwise the failure.</summary>
    public Exception? CloseReason { get; private set; }

    public CancellationToken ClosingToken => _closing.Token;

    public long LastReceivedTicks => Interlocked.Read(ref _lastReceivedTicks);

    /// <param name="tls">Null for plain MQTT; otherwise the handshake runs before anything else, and the connection
    /// owns (and disposes) the session once it is open.</param>
    /// <param name="onClosed">Called synchronously, exactly once, when the connection starts closing, so the owner
    /// stops handing it out before anyone else sees it fail.</param>
    public static async Task<ClientConnection> OpenAsync(
        string host,
        int port,
        TlsClientSession? tls,
        int maxPacketSize,
        Action<ClientConnection> onClosed,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (tls is not null)
            {
                // The reader and writer only see a Stream: TLS is just a different one.
                stream = await tls.AuthenticateAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            return new ClientConnection(socket, stream, tls, maxPacketSize, onClosed);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the reader loop; <paramref name="onPacket"/> runs on it, one packet at a time, and may throw
    /// to close the connection.</summary>
    public void Start(Action<ClientConnection, MqttPacket> onPacket) => _ = ReadLoopAsync(onPacket);

    public Task<MqttPacket> RegisterRequest(ushort packetId)
    {
        var waiter = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_requests)
        {
            if (_closeStarted != 0)
            {
                throw new ConnectionClosedException();
            }

            _requests[packetId] = waiter;
        }

        return waiter.Task;
    }

    public void RemoveRequest(ushort packetId)
    {
        lock (_requests)
        {
            _requests.Remove(packetId);
        }
    }

    public void CompleteRequest(ushort packetId, MqttPacket response)
    {
        TaskCompletionSource<MqttPacket>? waiter;
        lock (_requests)
        {
            _requests.Remove(packetId, out waiter);
        }

        waiter?.TrySetResult(response);
    }

    /// <summary>After our DISCONNECT: half-close so the broker reads everything we sent, give it a moment to close its
    /// side, then close. Closing at once with unread input would send an RST that can overtake the DISCONNECT.</summary>
    public async Task CloseGracefullyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            await _closed.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            // Best effort: the hard close below happens anyway.
        }
        finally
        {
            Close(null);
        }
    }

    /// <summary>Drops the connection with a TCP reset, as if the network failed; the broker must treat it as abnormal.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        Close(new ConnectionClosedException("The connection was aborted."));
    }

    public void Close(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        _onClosed(this);
        _closing.Cancel();
        Writer.Fail(new ConnectionClosedException("The MQTT connection is closed.", reason));
        List<TaskCompletionSource<MqttPacket>> waiters;
        lock (_requests)
        {
            waiters = [.. _requests.Values];
            _requests.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(new ConnectionClosedException("The MQTT connection closed before the broker answered.", reason));
        }

        _socket.Dispose();
        _stream.Dispose();
        _tls?.Dispose();
        _closed.TrySetResult();
    }

    private async Task ReadLoopAsync(Action<ClientConnection, MqttPacket> onPacket)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var packet = await Reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                if (packet is null)
                {
                    failure = new ConnectionClosedException("The broker closed the connection.");
                    break;
                }

                Interlocked.Exchange(ref _lastReceivedTicks, Environment.TickCount64);
                onPacket(this, packet);
                while (Reader.TryReadBuffered(out var next))
                {
                    onPacket(this, next!);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Closed by us.
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            Close(failure);
        }
    }
}
