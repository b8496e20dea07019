namespace Propeller.Mqtt.Broker;

/// <summary>The last retained message per topic (section 3.3.1.3). An empty payload clears the topic
/// [MQTT-3.3.1-10], [MQTT-3.3.1-11].</summary>
internal sealed class RetainedMessageStore
{
    private readonly Dictionary<string, MqttApplicationMessage> _messages = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public void Store(MqttApplicationMessage message)
    {
        lock (_gate)
        {
            if (message.Payload.IsEmpty)
            {
                _messages.Remove(message.Topic);
            }
            else
            {
                _messages[message.Topic] = message;
            }
        }
    }

    /// <summary>Retained messages a new subscription to <paramref name="filter"/> should receive.</summary>
    public List<MqttApplicationMessage> Match(string filter)
    {
        lock (_gate)
        {
            List<MqttApplicationMessage> matches = [];
            if (!filter.Contains('+', StringComparison.Ordinal) && !filter.Contains('#', StringComparison.Ordinal))
            {
                if (_messages.TryGetValue(filter, out var exact))
                {
                    matches.Add(exact);
                }

                return matches;
            }

            foreach (var message in _messages.Values)
            {
                if (MqttTopics.Matches(filter, message.Topic))
                {
                    matches.Add(message);
                }
            }

            return matches;
        }
    }
}
