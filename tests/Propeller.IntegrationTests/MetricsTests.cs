using Propeller.Core.Tests.Metrics;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// <c>GET /metrics</c> of a real manager and a real proplet, scraped before and after a task and read with a strict
/// parser of Prometheus' text format: what a Prometheus server and its dashboards would show.
/// </summary>
public sealed class MetricsTests(MetricsStack stack) : IClassFixture<MetricsStack>
{
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    [Fact]
    public async Task The_manager_counts_a_finished_task_its_duration_the_alive_proplet_and_its_mqtt_traffic()
    {
        var before = await ScrapeAsync(stack.Http);

        var done = await TaskCalls.RunAsync(stack.Http, """{"name": "greet", "inputs": ["metrics"]}""", Repository.Guest("greet"), "greet ends at once");
        Assert.Equal(3, done.GetProperty("state").GetInt32());

        // The duration is recorded just after the store says Completed; a scrape in between would not have it yet.
        var after = await ScrapeUntilAsync(stack.Http, page => Count(page, "propeller_task_duration_seconds_count", ("state", "completed")) > Count(before, "propeller_task_duration_seconds_count", ("state", "completed")));

        Assert.Equal(Count(before, "propeller_tasks", ("state", "completed")) + 1, after.Value("propeller_tasks", ("state", "completed")));
        Assert.Equal(0, after.Value("propeller_tasks", ("state", "running")));
        Assert.Equal(0, after.Value("propeller_tasks", ("state", "failed")));
        Assert.Equal(Count(before, "propeller_task_duration_seconds_count", ("state", "completed")) + 1, after.Value("propeller_task_duration_seconds_count", ("state", "completed")));
        Assert.True(after.Value("propeller_task_duration_seconds_sum", ("state", "completed")) > Count(before, "propeller_task_duration_seconds_sum", ("state", "completed")));
        Assert.Equal("histogram", after.Families["propeller_task_duration_seconds"].Type);
        Assert.Equal(1, after.Value("propeller_proplets_alive"));

        Assert.Equal(Count(before, "propeller_mqtt_messages_total", ("direction", "out"), ("kind", "start")) + 1, after.Value("propeller_mqtt_messages_total", ("direction", "out"), ("kind", "start")));
        Assert.True(after.Value("propeller_mqtt_messages_total", ("direction", "in"), ("kind", "results")) > Count(before, "propeller_mqtt_messages_total", ("direction", "in"), ("kind", "results")));
        Assert.True(after.Sum("propeller_mqtt_messages_total", ("direction", "in")) > 0);
        Assert.True(after.Sum("propeller_mqtt_messages_total", ("direction", "out")) > 0);
        Assert.Equal("counter", after.Families["propeller_mqtt_messages_total"].Type);
    }

    [Fact]
    public async Task The_proplet_shows_its_runs_and_the_wasi_nn_inference_it_ran()
    {
        var before = await ScrapeAsync(stack.PropletHttp);
        Assert.Equal(0, before.Value("propeller_proplet_tasks_running"));
        Assert.NotNull(before.Value("propeller_proplet_tasks_total", ("outcome", "failed"))); // at zero, before any failure

        var done = await TaskCalls.RunAsync(stack.Http, $$$"""
            {"name": "classification", "cli_args": ["-S", "nn", "--dir={{{Repository.WasiNnFixture}}}::fixture"], "proplet_id": "{{{stack.PropletId}}}"}
            """, Repository.WasiNnGuest("classification-c"), "one inference of a small model");
        Assert.Equal(3, done.GetProperty("state").GetInt32());

        // The proplet records a run before it reports the result, so the Completed task is already counted.
        var after = await ScrapeAsync(stack.PropletHttp);

        Assert.Equal(Count(before, "propeller_wasi_nn_compute_duration_seconds_count", ("encoding", "onnx")) + 1, after.Value("propeller_wasi_nn_compute_duration_seconds_count", ("encoding", "onnx")));
        Assert.True(after.Value("propeller_wasi_nn_compute_duration_seconds_sum", ("encoding", "onnx")) > Count(before, "propeller_wasi_nn_compute_duration_seconds_sum", ("encoding", "onnx")));
        Assert.Equal("histogram", after.Families["propeller_wasi_nn_compute_duration_seconds"].Type);
        Assert.Equal(Count(before, "propeller_wasi_nn_load_duration_seconds_count", ("encoding", "onnx"), ("source", "guest")) + 1, after.Value("propeller_wasi_nn_load_duration_seconds_count", ("encoding", "onnx"), ("source", "guest")));

        Assert.Equal(Count(before, "propeller_proplet_tasks_total", ("outcome", "completed")) + 1, after.Value("propeller_proplet_tasks_total", ("outcome", "completed")));
        Assert.Equal(Count(before, "propeller_proplet_task_duration_seconds_count", ("outcome", "completed")) + 1, after.Value("propeller_proplet_task_duration_seconds_count", ("outcome", "completed")));
        Assert.Equal(0, after.Value("propeller_proplet_tasks_running"));
    }

    [Fact]
    public async Task A_proplet_with_a_bad_metrics_port_stops_at_once_and_says_which_setting()
    {
        await using var proplet = PropletProcess.Start(stack.Manager.MqttAddress, stack.Manager.DomainId, stack.Manager.ChannelId, $"proplet-{Guid.NewGuid():N}", runtime: null,
            new Dictionary<string, string?> { ["PROPLET_METRICS_PORT"] = "metrics" });

        await proplet.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, proplet.ExitCode);
        Assert.Contains("PROPLET_METRICS_PORT='metrics' is not valid: expected a whole number from 1 to 65535", proplet.Log);
    }

    /// <summary>GET /metrics, checked for the content type a Prometheus server expects and parsed strictly.</summary>
    private static async Task<PrometheusTextParser.Exposition> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /metrics answered {(int)response.StatusCode}");
        Assert.Equal(ContentType, string.Join(", ", response.Content.Headers.GetValues("Content-Type")));
        return PrometheusTextParser.Parse(body);
    }

    private static async Task<PrometheusTextParser.Exposition> ScrapeUntilAsync(HttpClient http, Func<PrometheusTextParser.Exposition, bool> shows)
    {
        // A hang guard, not a performance bound.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = await ScrapeAsync(http);
            if (shows(page) || DateTime.UtcNow > deadline)
            {
                return page;
            }

            await Task.Delay(25);
        }
    }

    /// <summary>A sample's value, 0 while the series does not exist yet (a counter or histogram before its first event).</summary>
    private static double Count(PrometheusTextParser.Exposition page, string name, params (string Label, string Value)[] labels) =>
        page.Value(name, labels) ?? 0;
}
