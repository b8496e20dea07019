namespace Propeller.Core.Api;

/// <summary>One provisioned credential as <c>GET /credentials</c> lists it: never its key.</summary>
public sealed record CredentialInfo(string Id, string Kind, string DomainId, string ChannelId, DateTime CreatedAt);

/// <summary><c>GET /credentials</c>.</summary>
public sealed record CredentialList(int Total, List<CredentialInfo> Credentials);
