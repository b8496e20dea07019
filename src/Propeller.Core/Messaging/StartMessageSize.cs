namespace Propeller.Core.Messaging;

/// <summary>
/// How large an MQTT packet must be to carry a start message with its module inline (base64 in the JSON,
/// as upstream sends it), so that every module the manager accepts can reach a proplet: the manager's
/// client, its embedded broker and proplets allow packets of this size rather than a fixed 64 MiB.
/// </summary>
public static class StartMessageSize
{
    /// <summary>MQTT 3.1.1's largest packet: a 268,435,455-byte body behind a 5-byte fixed header.</summary>
    public const int MqttMaxPacketBytes = 268_435_455 + 5;

    /// <summary>Room in a start message for everything but the module: ids, name, inputs, env and cli_args.</summary>
    public const int OtherFieldsBytes = 32 * 1024 * 1024;

    /// <summary>The largest module whose start message fits in one MQTT packet (168 MiB and a little).</summary>
    public const long MaxModuleBytes = (MqttMaxPacketBytes - OtherFieldsBytes) / 4 * 3;

    /// <summary>The packet size that carries a start message with a module of <paramref name="moduleBytes"/> (at most MQTT's largest).</summary>
    public static int PacketBytesFor(long moduleBytes) =>
        (int)Math.Min(MqttMaxPacketBytes, (4 * ((moduleBytes + 2) / 3)) + OtherFieldsBytes);
}
