namespace Propeller.Core.Api;

/// <summary>
/// <c>POST /provision</c>: what to create. Absent ids get new UUIDs, as SuperMQ gives upstream; naming an
/// existing domain and channel adds credentials to them.
/// </summary>
public sealed class ProvisionRequest
{
    public string? DomainId { get; set; }

    public string? ChannelId { get; set; }

    /// <summary>How many proplet credentials (0 to 1000; default 1).</summary>
    public int? Proplets { get; set; }
}
