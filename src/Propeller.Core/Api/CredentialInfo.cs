namespace Propeller.Core.Api;

/// <summary>One provisioned credential as <c>GET /credentials</c> lists it: never its key; <c>revoked_at</c> once revoked.</summary>
public sealed record CredentialInfo(string Id, string Kind, string DomainId, string ChannelId, DateTime CreatedAt, DateTime? RevokedAt = null);

/// <summary><c>GET /credentials</c>.</summary>
public sealed record CredentialList(int Total, List<CredentialInfo> Credentials);
