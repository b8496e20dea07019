using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// A manager with its embedded broker and one embedded-runtime proplet that serves <c>GET /metrics</c> on
/// PROPLET_METRICS_PORT, so wasi-nn runs in the proplet's process and its inference times show there.
/// </summary>
public sealed class MetricsStack : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public ManagerProcess Manager { get; private set; } = null!;

    public ChildProcess Proplet { get; private set; } = null!;

    public string PropletId { get; } = $"proplet-{Guid.NewGuid():N}";

    public int PropletMetricsPort { get; } = FreePort.Get();

    public HttpClient Http => Manager.Http;

    public HttpClient PropletHttp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Manager = await ManagerProcess.StartAsync(Directory);
        Proplet = await PropletProcess.StartForAsync(Manager, runtime: null, PropletId, extraEnvironment: new Dictionary<string, string?>
        {
            ["PROPLET_RUNTIME"] = "embedded",
            ["PROPLET_METRICS_PORT"] = PropletMetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        allowedDirs: [Repository.WasiNnFixture]);
        await Proplet.WaitForLogAsync("Metrics on http://127.0.0.1:", TimeSpan.FromSeconds(30));
        // Through "localhost", as an operator's scrape config may say: the listener is on 127.0.0.1.
        PropletHttp = new HttpClient { BaseAddress = new Uri($"http://localhost:{PropletMetricsPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        PropletHttp?.Dispose();
        await Proplet.DisposeAsync();
        await Manager.DisposeAsync();
        Directory.Dispose();
    }
}
