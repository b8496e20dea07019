using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Propeller.Mqtt.Codec;
using Propeller.Mqtt.Packets;
using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Tests.Support;

/// <summary>A bare TCP socket speaking MQTT byte by byte, to send what a well-behaved client never would.</summary>
internal sealed class RawMqttConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MqttPacketReader _reader;

    private RawMqttConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new MqttPacketReader(PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true)), 256 * 1024 * 1024);
    }

    public static async Task<RawMqttConnection> ConnectAsync(EndPoint endPoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, Guard.Token());
        return new RawMqttConnection(socket);
    }

    /// <summary>Wraps a socket accepted by a fake broker.</summary>
    public static RawMqttConnection FromAccepted(Socket socket) => new(socket);

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes, Guard.Token());

    public Task SendAsync(MqttPacket packet) => SendAsync(MqttPacketEncoder.Encode(packet));

    public async Task<MqttPacket> ReadAsync()
    {
        var packet = await _reader.ReadAsync(Guard.Token());
        return packet ?? throw new IOException("The peer closed the connection instead of sending a packet.");
    }

    /// <summary>Sends CONNECT and expects an accepting CONNACK.</summary>
    public async Task<ConnAckPacket> HandshakeAsync(ConnectPacket connect)
    {
        await SendAsync(connect);
        var reply = Assert.IsType<ConnAckPacket>(await ReadAsync());
        return reply;
    }

    /// <summary>Reads until the peer closes the connection (EOF, reset or protocol garbage all count as closed).</summary>
    public async Task WaitForCloseAsync()
    {
        var token = Guard.Token();
        try
        {
            while (await _reader.ReadAsync(token) is not null)
            {
                // Discard whatever arrives before the close.
            }
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"The broker did not close the connection within {Guard.Timeout.TotalSeconds} s.", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or MqttProtocolException)
        {
            // Reset by the peer: closed too.
        }
    }

    /// <summary>Closes the sending side (TCP FIN) and keeps reading: the peer sees the end of the stream.</summary>
    public void CloseOutput() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Drops the connection with a TCP reset, like a crashed client.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
