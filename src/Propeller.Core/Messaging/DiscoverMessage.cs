namespace Propeller.Core.Messaging;

/// <summary>
/// Manager → proplets on <c>control/manager/discover</c> when the manager (re)connects: every proplet
/// announces itself again (<see cref="CreateMessage"/>). A manager restarted behind an external broker
/// would otherwise not learn the proplets' capabilities, because their connections never dropped.
/// Not in upstream; upstream proplets ignore it.
/// </summary>
public sealed class DiscoverMessage
{
    /// <summary>The manager's client id, for the proplets' logs.</summary>
    public string? ManagerId { get; set; }
}
