namespace Propeller.Core.Api;

/// <summary><c>GET /health</c>; <c>status</c> is <c>pass</c> when the manager can serve requests.</summary>
public sealed record HealthResponse(string Status, string Version, string Description, string InstanceId);
