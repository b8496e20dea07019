namespace Propeller.Mqtt.Broker;

/// <summary>Sessions by client id, and the rules for taking one over (section 3.1.4): a CONNECT for a client id that
/// is already connected disconnects the existing connection first [MQTT-3.1.4-2]; CleanSession=1 discards any stored
/// session [MQTT-3.1.2-6]; CleanSession=0 resumes it [MQTT-3.1.2-4].</summary>
internal sealed class SessionStore
{
    private static readonly TimeSpan TakeOverTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, BrokerSession> _sessions = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SubscriptionTable _subscriptions;
    private readonly Func<string, bool, BrokerSession> _createSession;

    public SessionStore(SubscriptionTable subscriptions, Func<string, bool, BrokerSession> createSession)
    {
        _subscriptions = subscriptions;
        _createSession = createSession;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    public BrokerSession? Find(string clientId)
    {
        lock (_gate)
        {
            return _sessions.GetValueOrDefault(clientId);
        }
    }

    /// <summary>Binds <paramref name="connection"/> to the session of <paramref name="clientId"/> (queuing its
    /// CONNACK), after disconnecting any connection that holds it now.</summary>
    public async Task<(BrokerSession Session, bool SessionPresent)> AttachAsync(string clientId, bool cleanSession, BrokerConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            BrokerConnection? holder;
            lock (_gate)
            {
                _sessions.TryGetValue(clientId, out var session);
                holder = session?.Connection;
                if (holder is null)
                {
                    if (session is not null && (cleanSession || session.IsClean))
                    {
                        Discard(session);
                        session = null;
                    }

                    var present = session is not null;
                    if (session is null)
                    {
                        session = _createSession(clientId, cleanSession);
                        _sessions[clientId] = session;
                    }

                    session.IsClean = cleanSession;
                    session.Attach(connection, present);
                    return (session, present);
                }
            }

            // Outside the lock: the old connection's clean-up (its will, its release) needs the store too.
            if (!await holder.TakeOverAsync(TakeOverTimeout, cancellationToken).ConfigureAwait(false))
            {
                // It did not finish in time; unbind it by force rather than kick it forever.
                lock (_gate)
                {
                    _sessions.GetValueOrDefault(clientId)?.Detach(holder);
                }
            }
        }
    }

    /// <summary>The connection ended: unbind it, and drop the session if it was clean.</summary>
    public void Release(BrokerSession session, BrokerConnection connection)
    {
        lock (_gate)
        {
            if (!session.Detach(connection))
            {
                return;
            }

            if (session.IsClean && _sessions.TryGetValue(session.ClientId, out var current) && current == session)
            {
                Discard(session);
            }
        }
    }

    private void Discard(BrokerSession session)
    {
        _sessions.Remove(session.ClientId);
        _subscriptions.RemoveAll(session);
    }
}
