using Propeller.Proplet.Metrics;

namespace Propeller.Proplet;

public static class PropletMetricsServices
{
    /// <summary>Serves <c>GET /metrics</c> when PROPLET_METRICS_PORT is set; adds nothing otherwise.</summary>
    public static IServiceCollection AddPropletMetrics(this IServiceCollection services, PropletOptions options)
    {
        if (options.MetricsPort is not null)
        {
            services.AddHostedService<MetricsServer>();
        }

        return services;
    }
}
