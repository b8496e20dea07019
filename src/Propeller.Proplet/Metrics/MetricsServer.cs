using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Propeller.Core.Metrics;

namespace Propeller.Proplet.Metrics;

/// <summary>
/// <c>GET /metrics</c> on PROPLET_METRICS_HOST:PROPLET_METRICS_PORT, started with the proplet when the port is set.
/// </summary>
/// <remarks>
/// Kestrel in its smallest form (an empty WebApplication, no routing, no logging) rather than System.Net.HttpListener:
/// HttpListener matches each request's Host header against its prefix, so a scrape of <c>localhost:PORT</c> at a
/// listener on 127.0.0.1 is refused, and it binds 0.0.0.0 only through its <c>+</c> wildcard. Kestrel binds exactly
/// the address given and answers whatever the Host header says. It comes with the ASP.NET Core shared framework (no
/// package), which the proplet therefore needs installed, as the manager does (its image is the aspnet one).
/// A port that cannot be bound is logged as an error and the proplet goes on running tasks: metrics only observe.
/// </remarks>
public sealed class MetricsServer(PropletOptions options, ILogger<MetricsServer> logger) : IHostedService, IAsyncDisposable
{
    // Made with the service, before tasks run: the exporter sees only what is measured after it exists.
    private readonly PrometheusExporter _exporter = new();
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.MetricsPort ?? throw new InvalidOperationException("PROPLET_METRICS_PORT is not set");
        PropletMetrics.ShowZeros();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            if (options.MetricsHost == "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(options.MetricsHost), port);
            }
        });
        // The proplet's own host answers SIGTERM and Ctrl-C and stops this server; this one must not listen for them too.
        builder.Services.AddSingleton<IHostLifetime, OwnedByTheProplet>();
        var app = builder.Build();
        app.Run(ServeAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            logger.LogError("Cannot serve metrics on {host}:{port} (PROPLET_METRICS_HOST, PROPLET_METRICS_PORT): {reason}; the proplet runs without them", options.MetricsHost, port, e.Message);
            await app.DisposeAsync();
            return;
        }

        _app = app;
        logger.LogInformation("Metrics on http://{host}:{port}/metrics", options.MetricsHost, port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _exporter.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (context.Request.Path != "/metrics")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("not found: the proplet serves GET /metrics only\n");
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        context.Response.ContentType = PrometheusText.ContentType;
        await context.Response.WriteAsync(_exporter.Render());
    }

    private sealed class OwnedByTheProplet : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
