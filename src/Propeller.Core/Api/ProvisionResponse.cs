namespace Propeller.Core.Api;

/// <summary>
/// What <c>POST /provision</c> created. The keys are in this answer only: the manager keeps their hashes,
/// so a lost key is replaced by provisioning again, never read back.
/// </summary>
public sealed record ProvisionResponse(
    string DomainId,
    string ChannelId,
    ClientCredentials Manager,
    List<ClientCredentials> Proplets,
    ApiKeyCredentials Api);

/// <summary>An MQTT identity: the client id (also the username, and a proplet's proplet_id) and its key (the password).</summary>
public sealed record ClientCredentials(string ClientId, string ClientKey);

/// <summary>A REST API key and the id that revokes it (<c>DELETE /credentials/{id}</c>).</summary>
public sealed record ApiKeyCredentials(string Id, string Key);
