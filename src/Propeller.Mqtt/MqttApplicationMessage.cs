namespace Propeller.Mqtt;

/// <summary>An application message as published or received.</summary>
/// <param name="Topic">Topic name (no wildcards).</param>
/// <param name="Payload">Opaque payload bytes; may be empty.</param>
/// <param name="Qos">Delivery guarantee requested by the publisher (or granted to the subscriber).</param>
/// <param name="Retain">On publish: ask the broker to keep it as the topic's retained message. On receipt: the
/// message was delivered because of a new subscription, not live.</param>
public sealed record MqttApplicationMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtMostOnce, bool Retain = false);
