using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Client;

/// <summary>A QoS 1 message the client owns until the broker's PUBACK.</summary>
internal sealed class OutgoingPublish
{
    public OutgoingPublish(PublishPacket packet)
    {
        Packet = packet;
    }

    /// <summary>The packet with its identifier; re-sent as is, with DUP set once it has gone out before.</summary>
    public PublishPacket Packet { get; set; }

    /// <summary>Handed to a connection at least once, so a re-send must carry DUP=1 [MQTT-3.3.1-1].</summary>
    public bool Sent { get; set; }

    public TaskCompletionSource Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
