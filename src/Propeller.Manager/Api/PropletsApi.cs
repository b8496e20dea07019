using Microsoft.OpenApi;
using Propeller.Core.Json;
using Propeller.Core.Proplets;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Api;

/// <summary><c>GET /proplets[?status=active|inactive]</c> and <c>GET /proplets/{id}</c>.</summary>
public static class PropletsApi
{
    public static IEndpointRouteBuilder MapPropletsApi(this IEndpointRouteBuilder app)
    {
        var proplets = app.MapGroup("/proplets").WithTags("proplets");
        proplets.MapGet("/", List)
            .WithSummary("List the proplets the manager has heard from")
            .WithQuery("status", JsonSchemaType.String, "active (alive) or inactive")
            .WithQuery("offset", JsonSchemaType.Integer, "skip this many (default 0)")
            .WithQuery("limit", JsonSchemaType.Integer, "at most this many, 1-100 (default 100)")
            .Produces<PropletPage>().WithErrors(400);
        proplets.MapGet("/{id}", Get)
            .WithSummary("One proplet: liveness, task count, runtime and wasi-nn capabilities").Produces<Proplet>().WithErrors(404);
        return app;
    }

    private static IResult List(HttpRequest request, PropletRegistry registry)
    {
        var (offset, limit) = RequestReading.Page(request);
        var status = request.Query["status"].ToString().ToLowerInvariant();
        Func<Proplet, bool> filter = status switch
        {
            "" => _ => true,
            "active" or "alive" => p => p.Alive,
            "inactive" or "dead" => p => !p.Alive,
            _ => throw ApiError.BadRequest($"status='{status}' is not valid: use active or inactive"),
        };
        var all = registry.List().Where(filter).ToList();
        var page = new PropletPage(offset, limit, all.Count, [.. all.Skip(offset).Take(limit)]);
        return TypedResults.Json(page, PropellerJsonContext.Default.PropletPage);
    }

    private static IResult Get(string id, PropletRegistry registry) =>
        registry.Get(id) is { } proplet
            ? TypedResults.Json(proplet, PropellerJsonContext.Default.Proplet)
            : throw ApiError.NotFound($"proplet '{(id.Length > 64 ? id[..64] + "…" : id)}' not found; GET /proplets lists the known ones");
}
