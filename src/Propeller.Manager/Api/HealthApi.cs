using Propeller.Core.Api;
using Propeller.Core.Json;

namespace Propeller.Manager.Api;

/// <summary><c>GET /health</c>: upstream's shape; <c>pass</c> once the manager serves requests.</summary>
public static class HealthApi
{
    private static readonly string InstanceId = Guid.NewGuid().ToString();

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Json(
            new HealthResponse("pass", ManagerVersion.Current, "propeller manager", InstanceId),
            PropellerJsonContext.Default.HealthResponse))
            .WithTags("health").WithSummary("Whether the manager serves requests (upstream's shape)").Produces<HealthResponse>();
        return app;
    }
}
