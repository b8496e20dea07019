using System.Net;
using Propeller.Manager.Security;
using Propeller.Core.Messaging;
using Propeller.Mqtt;

namespace Propeller.Manager.Messaging;

/// <summary>
/// The MQTT broker the manager hosts when no external one is configured (MANAGER_MQTT_ADDRESS unset),
/// so that one process is all a laptop needs. Started before anything that connects to it.
/// </summary>
public sealed class EmbeddedBroker(ManagerOptions options, BrokerAccessPolicy access, CredentialRegistry credentials, ILogger<MqttBroker> brokerLogger, ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
{
    private MqttBroker? _broker;

    public bool Enabled => options.MqttAddress is null;

    /// <summary>Where the manager's own client connects: the broker's real port on loopback.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        if (!IPAddress.TryParse(options.EmbeddedBrokerHost, out var address))
        {
            address = options.EmbeddedBrokerHost == "localhost" ? IPAddress.Loopback : throw new InvalidOperationException(
                $"MANAGER_EMBEDDED_BROKER_HOST='{options.EmbeddedBrokerHost}' is not an IP address; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
        }

        _broker = new MqttBroker(
            new MqttBrokerOptions
            {
                Address = address,
                Port = options.EmbeddedBrokerPort,
                MaxPacketSize = StartMessageSize.PacketBytesFor(options.MaxUploadBytes),
                Authenticate = access.Authenticate,
                AuthorizePublish = access.MayPublish,
                AuthorizeSubscribe = access.MaySubscribe,
            },
            brokerLogger);
        await _broker.StartAsync(cancellationToken);
        credentials.Changed += CloseConnectionsWithoutRights;
        var bound = _broker.LocalEndPoint;
        Endpoint = new IPEndPoint(address.Equals(IPAddress.Any) ? IPAddress.Loopback : address, bound.Port);
        logger.LogInformation("Embedded MQTT broker listening on {endpoint} (set MANAGER_MQTT_ADDRESS to use an external broker)", bound);
        if (access.Enforced)
        {
            logger.LogInformation("Embedded MQTT broker admits only provisioned clients of m/{domain_id}/c/{channel_id}, each to its own topics", options.DomainId, options.ChannelId);
        }
        else if (!IPAddress.IsLoopback(address))
        {
            logger.LogWarning(
                "SECURITY WARNING: the embedded MQTT broker on {endpoint} admits every client (nobody is provisioned for m/{domain_id}/c/{channel_id}): anyone who reaches it can take or forge tasks. Run `propeller-cli provision` and restart with its config.toml, or listen on 127.0.0.1 (MANAGER_EMBEDDED_BROKER_HOST)",
                bound, options.DomainId, options.ChannelId);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        credentials.Changed -= CloseConnectionsWithoutRights;
        if (_broker is not null)
        {
            await _broker.StopAsync(cancellationToken);
        }
    }

    /// <summary>After a revocation (or a provisioning of this very channel), whoever would now be refused is disconnected.</summary>
    private void CloseConnectionsWithoutRights()
    {
        var closed = _broker?.DisconnectWhere(request => !access.Authenticate(request), "its credentials were revoked or are now required") ?? 0;
        if (closed > 0)
        {
            logger.LogWarning("Closed {count} MQTT connections whose credentials were revoked or are now required", closed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
