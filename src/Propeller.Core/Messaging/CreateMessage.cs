using Propeller.Core.Proplets;

namespace Propeller.Core.Messaging;

/// <summary>Proplet → manager on <c>control/proplet/create</c>, once at start: discovery.</summary>
public sealed class CreateMessage
{
    public string PropletId { get; set; } = "";

    public string? Name { get; set; }

    public PropletMetadata? Metadata { get; set; }
}
