namespace Propeller.Mqtt.Broker;

/// <summary>A connection's will message. It is published at most once, and never after a DISCONNECT
/// [MQTT-3.1.2-10]; taking it atomically settles a race between a DISCONNECT and a failure.</summary>
internal sealed class WillMessageSlot
{
    private MqttApplicationMessage? _will;

    public void Set(MqttApplicationMessage? will) => Volatile.Write(ref _will, will);

    public void Discard() => Volatile.Write(ref _will, null);

    /// <summary>The will if it is still due, leaving the slot empty.</summary>
    public MqttApplicationMessage? Take() => Interlocked.Exchange(ref _will, null);
}
