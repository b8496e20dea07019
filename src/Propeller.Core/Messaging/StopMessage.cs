namespace Propeller.Core.Messaging;

/// <summary>Manager → proplets on <c>control/manager/stop</c>.</summary>
public sealed class StopMessage
{
    public Guid Id { get; set; }

    public string PropletId { get; set; } = "";
}
