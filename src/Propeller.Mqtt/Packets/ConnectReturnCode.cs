namespace Propeller.Mqtt.Packets;

/// <summary>CONNACK return codes (section 3.2.2.3).</summary>
internal enum ConnectReturnCode : byte
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
}

internal static class ConnectReturnCodeText
{
    /// <summary>Words for a return code, so error messages say "5 (not authorized)" rather than a bare number.</summary>
    public static string Describe(byte code) => code switch
    {
        0 => "0 (connection accepted)",
        1 => "1 (unacceptable protocol version)",
        2 => "2 (identifier rejected)",
        3 => "3 (server unavailable)",
        4 => "4 (bad user name or password)",
        5 => "5 (not authorized)",
        _ => $"{code} (reserved, unknown to MQTT 3.1.1)",
    };
}
