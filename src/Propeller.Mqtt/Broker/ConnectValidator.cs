using System.Net;
using Microsoft.Extensions.Logging;
using Propeller.Mqtt.Packets;

namespace Propeller.Mqtt.Broker;

/// <summary>Decides whether a CONNECT is accepted (section 3.1.4) and with which identity.</summary>
internal static class ConnectValidator
{
    public static (ConnectReturnCode Code, MqttConnectRequest? Request, string? Reason) Validate(ConnectPacket connect, EndPoint? remote, MqttBrokerOptions options, ILogger logger)
    {
        if (connect.ProtocolName != ConnectPacket.MqttProtocolName || connect.ProtocolLevel != ConnectPacket.MqttProtocolLevel)
        {
            // [MQTT-3.1.2-2]: an unsupported level gets CONNACK 1; we answer a foreign protocol name the same way
            // rather than silently dropping it, so the peer learns why.
            return (ConnectReturnCode.UnacceptableProtocolVersion, null,
                $"protocol '{connect.ProtocolName}' level {connect.ProtocolLevel} is not MQTT 3.1.1 ('MQTT' level 4)");
        }

        var clientId = connect.ClientId;
        if (clientId.Length == 0)
        {
            if (!connect.CleanSession)
            {
                // A stored session needs a stable name to be found again [MQTT-3.1.3-8].
                return (ConnectReturnCode.IdentifierRejected, null, "empty client id with CleanSession=0");
            }

            // [MQTT-3.1.3-6]: the server assigns a unique id.
            clientId = "auto-" + Guid.NewGuid().ToString("N");
        }

        var request = new MqttConnectRequest(clientId, connect.Username, connect.Password, remote);
        if (options.Authenticate is { } authenticate)
        {
            bool allowed;
            try
            {
                allowed = authenticate(request);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The Authenticate hook threw for client {client_id}; refusing it as server unavailable", clientId);
                return (ConnectReturnCode.ServerUnavailable, null, "the authentication hook failed");
            }

            if (!allowed)
            {
                return (ConnectReturnCode.NotAuthorized, null, "not authorized");
            }
        }

        return (ConnectReturnCode.Accepted, request, null);
    }
}
