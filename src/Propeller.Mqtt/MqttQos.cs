namespace Propeller.Mqtt;

/// <summary>Quality of service levels this library speaks. QoS 2 is deliberately absent: a SUBSCRIBE asking for
/// it is granted QoS 1, and a QoS 2 PUBLISH is a protocol violation.</summary>
public enum MqttQos : byte
{
    /// <summary>Fire and forget.</summary>
    AtMostOnce = 0,

    /// <summary>Acknowledged with PUBACK; may be delivered more than once.</summary>
    AtLeastOnce = 1,
}
