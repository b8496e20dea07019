using System.Text.Json;
using Propeller.Core.Api;
using Propeller.Core.Json;
using Propeller.Manager.Security;

namespace Propeller.Manager.Api;

/// <summary>Provisioning (upstream's <c>propeller-cli provision</c> asks SuperMQ; here the manager answers) and the credentials it made.</summary>
public static class CredentialsApi
{
    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/provision", ProvisionAsync).WithTags("credentials")
            .WithSummary("Create a domain and channel (new UUIDs unless named), MQTT credentials for the manager and N proplets, and an API key; the keys are in this answer only")
            .Accepts<ProvisionRequest>("application/json").Produces<ProvisionResponse>(StatusCodes.Status201Created).WithErrors(400, 401);
        app.MapGet("/credentials", List).WithTags("credentials")
            .WithSummary("The provisioned credentials, revoked ones included (revoked_at), without their keys").Produces<CredentialList>().WithErrors(401);
        app.MapDelete("/credentials/{id}", DeleteAsync).WithTags("credentials")
            .WithSummary("Revoke a credential: its key stops working at once, and its open MQTT connections are closed").Produces(StatusCodes.Status204NoContent).WithErrors(401, 404);
        return app;
    }

    private static async Task<IResult> ProvisionAsync(HttpRequest request, Provisioning provisioning, CancellationToken ct)
    {
        var body = request.ContentLength is 0 or null && !request.Headers.TransferEncoding.Any()
            ? new ProvisionRequest()
            : await JsonSerializer.DeserializeAsync(request.Body, PropellerJsonContext.Default.ProvisionRequest, ct)
                ?? throw ApiError.BadRequest("the body must be a JSON object such as {\"proplets\": 2}, or empty");
        var created = await provisioning.ProvisionAsync(body, ct);
        return TypedResults.Json(created, PropellerJsonContext.Default.ProvisionResponse, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(CredentialRegistry registry)
    {
        var list = registry.All
            .Select(c => new CredentialInfo(c.Id, CredentialKinds.Name(c.Kind), c.DomainId, c.ChannelId, c.CreatedAt, c.RevokedAt))
            .ToList();
        return TypedResults.Json(new CredentialList(list.Count, list), PropellerJsonContext.Default.CredentialList);
    }

    private static async Task<IResult> DeleteAsync(string id, CredentialRegistry registry, CancellationToken ct) =>
        await registry.RevokeAsync(id, ct)
            ? TypedResults.NoContent()
            : throw ApiError.NotFound($"no credential '{(id.Length > 80 ? id[..80] + "…" : id)}' that is not revoked already; GET /credentials lists them");
}
