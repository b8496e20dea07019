using Microsoft.Extensions.Logging;

namespace Propeller.Mqtt.Broker;

/// <summary>What every connection of one broker shares.</summary>
internal sealed class BrokerContext
{
    private int _connectedClients;

    public BrokerContext(MqttBrokerOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Subscriptions = new SubscriptionTable();
        Retained = new RetainedMessageStore();
        Router = new MessageRouter(Subscriptions, Retained);
        Sessions = new SessionStore(Subscriptions, (clientId, clean) => new BrokerSession(clientId, clean, options.MaxQueuedMessagesPerClient, logger));
    }

    /// <summary>How long a new connection may take to send its CONNECT.</summary>
    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(5);

    public MqttBrokerOptions Options { get; }

    public ILogger Logger { get; }

    public SubscriptionTable Subscriptions { get; }

    public RetainedMessageStore Retained { get; }

    public MessageRouter Router { get; }

    public SessionStore Sessions { get; }

    public int ConnectedClients => Volatile.Read(ref _connectedClients);

    public void ClientConnected() => Interlocked.Increment(ref _connectedClients);

    public void ClientDisconnected() => Interlocked.Decrement(ref _connectedClients);
}
