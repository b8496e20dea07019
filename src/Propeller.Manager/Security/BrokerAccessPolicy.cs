using System.Text.Json;
using Propeller.Core.Messaging;
using Propeller.Mqtt;

namespace Propeller.Manager.Security;

/// <summary>
/// Who may do what on the embedded broker. Until someone is provisioned for the manager's channel the
/// broker is open (a laptop's <c>make run</c>; it listens on loopback unless told otherwise). From then on:
/// a CONNECT needs a provisioned proplet's client id and key (username = client id, password = key); a
/// proplet may publish only its own create/alive/running/results, with its own id as <c>proplet_id</c> and not
/// retained, and subscribe only to the manager's control topics. Manager credentials are for an external
/// broker: here the manager has its own connection, and no one else may take its place.
/// Rights are checked against the registry on every packet; <see cref="EmbeddedBroker"/> also closes the
/// connections a revocation leaves without rights.
/// </summary>
public sealed class BrokerAccessPolicy
{
    private readonly CredentialRegistry _registry;
    private readonly ManagerOptions _options;
    private readonly Topics _topics;
    private readonly string _ownPasswordHash;

    public BrokerAccessPolicy(CredentialRegistry registry, ManagerOptions options)
    {
        _registry = registry;
        _options = options;
        _topics = new Topics(options.DomainId, options.ChannelId);
        OwnPassword = SecretKey.NewClientKey();
        _ownPasswordHash = SecretKey.Hash(OwnPassword);
    }

    /// <summary>The password of the manager's own connection to its embedded broker, new at every start and never written anywhere.</summary>
    public string OwnPassword { get; }

    public bool Enforced => _registry.HasMqttCredentials(_options.DomainId, _options.ChannelId);

    public bool Authenticate(MqttConnectRequest request) => IsOwnConnection(request) || !Enforced || Identify(request) is not null;

    public bool MayPublish(MqttConnectRequest request, MqttApplicationMessage message)
    {
        if (IsOwnConnection(request) || !Enforced)
        {
            return true;
        }

        // A retained message would be replayed to the manager long after its sender was revoked.
        return Identify(request) is { } proplet && !message.Retain && IsPropletTopic(message.Topic) && NamesProplet(message.Payload, proplet.Id);
    }

    public bool MaySubscribe(MqttConnectRequest request, string filter)
    {
        if (IsOwnConnection(request) || !Enforced)
        {
            return true;
        }

        return Identify(request) is not null
            && (filter == _topics.ManagerAll || filter == _topics.ManagerStart || filter == _topics.ManagerStop || filter == _topics.ManagerDiscover);
    }

    private bool IsOwnConnection(MqttConnectRequest request) =>
        request.ClientId == _options.ClientId && request.Password is { } password && SecretKey.Matches(password, _ownPasswordHash);

    /// <summary>The proplet credential the request proves, or null.</summary>
    private Credential? Identify(MqttConnectRequest request)
    {
        // SuperMQ's convention, which upstream proplets follow: the username is the client id.
        if (request.Username is not null && request.Username != request.ClientId)
        {
            return null;
        }

        var credential = _registry.VerifyMqtt(request.ClientId, request.Password);
        return credential is { Kind: CredentialKind.Proplet } && credential.DomainId == _options.DomainId && credential.ChannelId == _options.ChannelId ? credential : null;
    }

    private bool IsPropletTopic(string topic) =>
        topic == _topics.PropletCreate || topic == _topics.PropletAlive || topic == _topics.PropletResults || topic == _topics.PropletRunning;

    /// <summary>
    /// A proplet speaks only for itself: the message's <c>proplet_id</c> must be its own client id. The manager reads
    /// names without regard to case and keeps the last of duplicates, so every spelling and every copy must agree.
    /// </summary>
    private static bool NamesProplet(ReadOnlyMemory<byte> payload, string propletId)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var named = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals("proplet_id", StringComparison.OrdinalIgnoreCase))
                {
                    if (property.Value.ValueKind != JsonValueKind.String || !property.Value.ValueEquals(propletId))
                    {
                        return false;
                    }

                    named = true;
                }
            }

            return named;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
