using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Mqtt.Broker;

namespace Propeller.Mqtt;

/// <summary>An embedded MQTT 3.1.1 broker (QoS 0 and 1, retained messages, wills, persistent sessions). It accepts
/// TCP connections and hands each to a <see cref="BrokerConnection"/>; everything they share lives in a
/// <see cref="BrokerContext"/>.</summary>
public sealed class MqttBroker : IAsyncDisposable
{
    private readonly MqttBrokerOptions _options;
    private readonly BrokerContext _context;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<BrokerConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private Task? _acceptLoop;
    private bool _started;

    public MqttBroker(MqttBrokerOptions options, ILogger<MqttBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Address);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"MqttBrokerOptions.Port {options.Port} is not between 0 and 65535.", nameof(options));
        }

        if (options.MaxPacketSize < 16 || options.MaxQueuedMessagesPerClient < 1)
        {
            throw new ArgumentException("MqttBrokerOptions.MaxPacketSize must be at least 16 and MaxQueuedMessagesPerClient at least 1.", nameof(options));
        }

        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _context = new BrokerContext(options, _logger);
    }

    /// <summary>Where the broker listens; after <see cref="StartAsync"/> it holds the real port even when 0 was asked.</summary>
    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("The MQTT broker is not started.");

    /// <summary>Clients that completed CONNECT and are still connected.</summary>
    public int ConnectedClients => _context.ConnectedClients;

    /// <summary>Number of topic filters subscribed, over all sessions (diagnostics and tests).</summary>
    internal int SubscriptionCount => _context.Subscriptions.Count;

    internal int SessionCount => _context.Sessions.Count;

    /// <summary>QoS 1 messages the session of <paramref name="clientId"/> still owes its client (tests).</summary>
    internal int PendingMessagesFor(string clientId) => _context.Sessions.Find(clientId)?.PendingCount ?? 0;

    /// <summary>
    /// Closes every connection whose CONNECT <paramref name="mustGo"/> picks, without publishing its will: rights that
    /// were revoked or newly required take effect on open connections, whose reconnection is then refused.
    /// </summary>
    /// <returns>How many connections were closed.</returns>
    public int DisconnectWhere(Func<MqttConnectRequest, bool> mustGo, string reason)
    {
        ArgumentNullException.ThrowIfNull(mustGo);
        var closed = 0;
        foreach (var connection in _connections.Keys)
        {
            if (connection.Request is { } request && mustGo(request))
            {
                connection.Kick(reason, publishWill: false);
                closed++;
            }
        }

        return closed;
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The MQTT broker was already started; create a new one to start again.");
            }

            _started = true;
        }

        var endPoint = new IPEndPoint(_options.Address, _options.Port);
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            throw new IOException($"Cannot start the MQTT broker: {FormatEndPoint(endPoint)} is already in use by another process or broker.", ex);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new IOException($"Cannot start the MQTT broker on {FormatEndPoint(endPoint)}: {ex.Message}", ex);
        }

        _listener = listener;
        _localEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(listener);
        _logger.LogInformation("MQTT broker listening on {end_point}", FormatEndPoint(_localEndPoint));
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, closes every connection (without publishing wills: the broker, not the clients, is
    /// going away) and waits for their clean-up.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Socket? listener;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
        }

        if (listener is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Kick("broker stopping", publishWill: false);
        }

        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        _logger.LogInformation("MQTT broker on {end_point} stopped", _localEndPoint is null ? "?" : FormatEndPoint(_localEndPoint));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("MQTT broker connections did not finish closing within 10 s of disposal");
        }

        _stopping.Dispose();
    }

    private static string FormatEndPoint(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";

    private async Task AcceptLoopAsync(Socket listener)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }

                // Typically out of file descriptors: pause briefly instead of spinning on the error.
                _logger.LogWarning("Accepting an MQTT connection failed: {reason}", ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            socket.NoDelay = true;
            var connection = new BrokerConnection(socket, _context);
            var run = Task.Run(connection.RunAsync, CancellationToken.None);
            _connections[connection] = run;
            _ = run.ContinueWith(_ => _connections.TryRemove(connection, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (token.IsCancellationRequested)
            {
                connection.Kick("broker stopping", publishWill: false);
            }
        }
    }
}
