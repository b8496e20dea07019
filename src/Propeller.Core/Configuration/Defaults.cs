namespace Propeller.Core.Configuration;

/// <summary>Values the manager and a proplet must agree on when neither is configured (a laptop's <c>make run</c>).</summary>
public static class Defaults
{
    public const string DomainId = "propeller";

    public const string ChannelId = "local";

    public const string MqttAddress = "tcp://localhost:1883";

    public const int MqttPort = 1883;

    public const int HttpPort = 7070;
}
