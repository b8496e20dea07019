namespace Propeller.Mqtt.Broker;

/// <summary>All subscriptions of all sessions, as a tree of topic levels so a publish visits only the branches its
/// topic can match ('+' and '#' are children like any other level; topic names cannot contain them, so there is no
/// ambiguity). One lock: subscribes are rare, matches are short and allocation-free.</summary>
internal sealed class SubscriptionTable
{
    private readonly Node _root = new(null, string.Empty);
    private readonly Dictionary<BrokerSession, Dictionary<string, MqttQos>> _bySession = [];
    private readonly object _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySession.Values.Sum(filters => filters.Count);
            }
        }
    }

    /// <summary>Adds or replaces (a new QoS for the same filter replaces the old one [MQTT-3.8.4-3]).</summary>
    public void Subscribe(BrokerSession session, string filter, MqttQos qos)
    {
        lock (_gate)
        {
            var node = _root;
            foreach (var level in filter.Split('/'))
            {
                node = node.GetOrAddChild(level);
            }

            (node.Subscribers ??= [])[session] = qos;
            if (!_bySession.TryGetValue(session, out var filters))
            {
                filters = new Dictionary<string, MqttQos>(StringComparer.Ordinal);
                _bySession[session] = filters;
            }

            filters[filter] = qos;
        }
    }

    public bool Unsubscribe(BrokerSession session, string filter)
    {
        lock (_gate)
        {
            if (!_bySession.TryGetValue(session, out var filters) || !filters.Remove(filter))
            {
                return false;
            }

            if (filters.Count == 0)
            {
                _bySession.Remove(session);
            }

            RemoveFromTree(session, filter);
            return true;
        }
    }

    public void RemoveAll(BrokerSession session)
    {
        lock (_gate)
        {
            if (_bySession.Remove(session, out var filters))
            {
                foreach (var filter in filters.Keys)
                {
                    RemoveFromTree(session, filter);
                }
            }
        }
    }

    public Dictionary<string, MqttQos> FiltersOf(BrokerSession session)
    {
        lock (_gate)
        {
            return _bySession.TryGetValue(session, out var filters) ? new(filters, StringComparer.Ordinal) : [];
        }
    }

    /// <summary>Adds every session subscribed to a filter matching <paramref name="topic"/> to <paramref name="result"/>,
    /// once, with the highest QoS among its matching subscriptions.</summary>
    public void Match(string topic, Dictionary<BrokerSession, MqttQos> result)
    {
        lock (_gate)
        {
            MatchLevel(_root, topic, 0, result);
        }
    }

    private static void MatchLevel(Node node, string topic, int start, Dictionary<BrokerSession, MqttQos> result)
    {
        if (start < 0)
        {
            // All levels consumed: the filter ends here, or continues with "/#" which also matches the parent.
            AddAll(node.Subscribers, result);
            if (node.Children?.TryGetValue("#", out var parentHash) == true)
            {
                AddAll(parentHash.Subscribers, result);
            }

            return;
        }

        if (node.Children is null)
        {
            return;
        }

        var slash = topic.IndexOf('/', start);
        var level = slash < 0 ? topic.AsSpan(start) : topic.AsSpan(start, slash - start);
        var next = slash < 0 ? -1 : slash + 1;

        // Topics beginning with '$' are not matched by a leading wildcard [MQTT-4.7.2-1].
        var wildcardsAllowed = start > 0 || topic[0] != '$';
        if (wildcardsAllowed)
        {
            if (node.Children.TryGetValue("#", out var hash))
            {
                AddAll(hash.Subscribers, result);
            }

            if (node.Children.TryGetValue("+", out var plus))
            {
                MatchLevel(plus, topic, next, result);
            }
        }

        if (node.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(level, out var exact))
        {
            MatchLevel(exact, topic, next, result);
        }
    }

    private static void AddAll(Dictionary<BrokerSession, MqttQos>? subscribers, Dictionary<BrokerSession, MqttQos> result)
    {
        if (subscribers is null)
        {
            return;
        }

        foreach (var (session, qos) in subscribers)
        {
            if (!result.TryGetValue(session, out var existing) || existing < qos)
            {
                result[session] = qos;
            }
        }
    }

    private void RemoveFromTree(BrokerSession session, string filter)
    {
        var node = _root;
        foreach (var level in filter.Split('/'))
        {
            if (node.Children is null || !node.Children.TryGetValue(level, out node))
            {
                return;
            }
        }

        node.Subscribers?.Remove(session);

        // Prune branches nobody subscribes to any more, so the tree does not grow with every topic ever used.
        while (node.Parent is { } parent && node.IsEmpty)
        {
            parent.Children!.Remove(node.Level);
            node = parent;
        }
    }

    private sealed class Node
    {
        public Node(Node? parent, string level)
        {
            Parent = parent;
            Level = level;
        }

        public Node? Parent { get; }

        public string Level { get; }

        public Dictionary<string, Node>? Children { get; private set; }

        public Dictionary<BrokerSession, MqttQos>? Subscribers { get; set; }

        public bool IsEmpty => (Children is null || Children.Count == 0) && (Subscribers is null || Subscribers.Count == 0);

        public Node GetOrAddChild(string level)
        {
            Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!Children.TryGetValue(level, out var child))
            {
                child = new Node(this, level);
                Children[level] = child;
            }

            return child;
        }
    }
}
