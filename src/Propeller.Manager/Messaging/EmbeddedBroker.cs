using System.Net;
using Propeller.Core.Messaging;
using Propeller.Mqtt;

namespace Propeller.Manager.Messaging;

/// <summary>
/// The MQTT broker the manager hosts when no external one is configured (MANAGER_MQTT_ADDRESS unset),
/// so that one process is all a laptop needs. Started before anything that connects to it.
/// </summary>
public sealed class EmbeddedBroker(ManagerOptions options, ILogger<MqttBroker> brokerLogger, ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
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
            new MqttBrokerOptions { Address = address, Port = options.EmbeddedBrokerPort, MaxPacketSize = StartMessageSize.PacketBytesFor(options.MaxUploadBytes) },
            brokerLogger);
        await _broker.StartAsync(cancellationToken);
        var bound = _broker.LocalEndPoint;
        Endpoint = new IPEndPoint(address.Equals(IPAddress.Any) ? IPAddress.Loopback : address, bound.Port);
        logger.LogInformation("Embedded MQTT broker listening on {endpoint} (set MANAGER_MQTT_ADDRESS to use an external broker)", bound);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_broker is not null)
        {
            await _broker.StopAsync(cancellationToken);
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
