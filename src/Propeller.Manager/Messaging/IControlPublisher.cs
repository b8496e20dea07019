using Propeller.Core.Messaging;

namespace Propeller.Manager.Messaging;

/// <summary>What the manager tells proplets. Returns once the broker has accepted the message.</summary>
public interface IControlPublisher
{
    Task PublishStartAsync(StartMessage message, CancellationToken cancellationToken);

    Task PublishStopAsync(StopMessage message, CancellationToken cancellationToken);
}
