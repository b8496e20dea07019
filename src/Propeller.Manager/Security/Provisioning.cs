using Propeller.Core.Api;
using Propeller.Core.Messaging;

namespace Propeller.Manager.Security;

/// <summary>
/// Creates what <c>propeller-cli provision</c> asks for: a domain and a channel (new UUIDs unless named), an
/// MQTT identity for the manager and for each proplet, and a REST API key. Only hashes are kept.
/// </summary>
public sealed class Provisioning(CredentialRegistry registry, TimeProvider clock, ILogger<Provisioning> logger)
{
    public const int MaxProplets = 1000;

    private const int MaxIdLength = 128;

    public async Task<ProvisionResponse> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        var domainId = Id(request.DomainId, "domain_id");
        var channelId = Id(request.ChannelId, "channel_id");
        var count = request.Proplets ?? 1;
        if (count is < 0 or > MaxProplets)
        {
            throw ApiError.BadRequest($"proplets must be from 0 to {MaxProplets}, not {count}");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var credentials = new List<Credential>();
        ClientCredentials NewClient(CredentialKind kind)
        {
            var client = new ClientCredentials(Guid.NewGuid().ToString(), SecretKey.NewClientKey());
            credentials.Add(new Credential(client.ClientId, kind, domainId, channelId, SecretKey.Hash(client.ClientKey), now));
            return client;
        }

        var manager = NewClient(CredentialKind.Manager);
        var proplets = Enumerable.Range(0, count).Select(_ => NewClient(CredentialKind.Proplet)).ToList();
        var api = new ApiKeyCredentials($"api-{Guid.NewGuid()}", SecretKey.NewApiKey());
        credentials.Add(new Credential(api.Id, CredentialKind.Api, domainId, channelId, SecretKey.Hash(api.Key), now));

        await registry.AddAsync(credentials, cancellationToken);
        logger.LogInformation(
            "Provisioned domain {domain_id}, channel {channel_id}: a manager, {proplets} proplets and an API key ({api_key_id})",
            domainId, channelId, count, api.Id);
        return new ProvisionResponse(domainId, channelId, manager, proplets, api);
    }

    private static string Id(string? given, string what)
    {
        if (given is null)
        {
            return Guid.NewGuid().ToString();
        }

        if (given.Length is 0 or > MaxIdLength || given.Any(char.IsControl) || given.Any(char.IsWhiteSpace))
        {
            throw ApiError.BadRequest($"{what} must be 1 to {MaxIdLength} characters without spaces or control characters, or absent for a new UUID");
        }

        try
        {
            // The ids become topic levels m/{domain_id}/c/{channel_id}: the same rule the manager and proplets apply.
            _ = what == "domain_id" ? new Topics(given, "x") : new Topics("x", given);
        }
        catch (ArgumentException e)
        {
            throw ApiError.BadRequest(e.Message);
        }

        return given;
    }
}
