using Propeller.Mqtt.Transport;

namespace Propeller.Mqtt.Broker;

/// <summary>Scratch state of one connection's read batch: routing results, and the writers that received packets so
/// each is flushed once when the batch is done instead of once per message. Used by one reader at a time.</summary>
internal sealed class DeliveryBatch
{
    private readonly HashSet<MqttPacketWriter> _writers = [];

    /// <summary>Reused per publish to collect each matching session once, with its highest granted QoS.</summary>
    public Dictionary<BrokerSession, MqttQos> Recipients { get; } = [];

    public void Add(MqttPacketWriter writer) => _writers.Add(writer);

    public void Flush()
    {
        if (_writers.Count == 0)
        {
            return;
        }

        foreach (var writer in _writers)
        {
            writer.StartFlush();
        }

        _writers.Clear();
    }
}
