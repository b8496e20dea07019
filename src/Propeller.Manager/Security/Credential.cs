namespace Propeller.Manager.Security;

/// <summary>
/// One provisioned secret as the manager keeps it: never the key itself, only its hash. For MQTT kinds
/// <see cref="Id"/> is the client id (and username) the holder connects with. A revoked credential is kept,
/// marked: its key no longer works, and what it locked (the API, its channel) stays locked.
/// </summary>
public sealed record Credential(string Id, CredentialKind Kind, string DomainId, string ChannelId, string KeyHash, DateTime CreatedAt, DateTime? RevokedAt = null);
