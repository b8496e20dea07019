using Propeller.Core.Metrics;
using Propeller.Manager.Metrics;

namespace Propeller.Manager.Api;

/// <summary><c>GET /metrics</c>: the manager's metrics in Prometheus' text format (see docs/api.md).</summary>
public static class MetricsApi
{
    public static IServiceCollection AddManagerMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ => new PrometheusExporter());
        services.AddSingleton<ManagerGauges>();
        return services;
    }

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        // Made now, before the hosted services start: the exporter sees only what is measured after it exists.
        var exporter = app.ServiceProvider.GetRequiredService<PrometheusExporter>();
        var gauges = app.ServiceProvider.GetRequiredService<ManagerGauges>();
        // One scrape at a time: each renders the task counts it refreshed, not those of a scrape beside it.
        var oneScrape = new SemaphoreSlim(1, 1);
        app.MapGet("/metrics", async (CancellationToken cancellationToken) =>
        {
            await oneScrape.WaitAsync(cancellationToken);
            try
            {
                await gauges.RefreshAsync(cancellationToken);
                return Results.Text(exporter.Render(), PrometheusText.ContentType);
            }
            finally
            {
                oneScrape.Release();
            }
        })
            .WithTags("metrics")
            .WithSummary("The manager's metrics in Prometheus' text format 0.0.4: tasks by state, task durations, proplets alive, MQTT messages")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }
}
