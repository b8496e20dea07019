using System.Diagnostics.Metrics;
using System.Text;
using Propeller.Core.Metrics;

namespace Propeller.Core.Tests.Metrics;

/// <summary>
/// What a Prometheus server scraping <c>/metrics</c> gets: each page is read back with a strict 0.0.4 parser,
/// so a malformed line fails the test. Every test has a meter of its own, and an exporter that listens to it alone.
/// </summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly Meter _meter = new($"Propeller.Tests.{Guid.NewGuid():N}");
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _exporter = new PrometheusExporter(meter => meter == _meter);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    /// <summary>Renders and parses the page as the bytes a scraper receives.</summary>
    private PrometheusTextParser.Exposition Scrape(out string text)
    {
        text = _exporter.Render();
        return PrometheusTextParser.Parse(Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void With_nothing_recorded_the_page_is_empty_and_valid()
    {
        Assert.Equal("", _exporter.Render());
        Assert.Empty(PrometheusTextParser.Parse("").Samples);

        _meter.CreateCounter<long>("test.requests", description: "Requests served.");
        var page = Scrape(out var text);

        Assert.Equal("# HELP test_requests_total Requests served.\n# TYPE test_requests_total counter\n", text);
        Assert.Empty(page.Samples);
    }

    [Fact]
    public void A_counter_ends_in_total_adds_up_per_label_set_and_keeps_its_unit_annotation_out_of_the_name()
    {
        var messages = _meter.CreateCounter<long>("test.mqtt.messages", "{message}", "MQTT messages.");
        messages.Add(2, new KeyValuePair<string, object?>("direction", "in"));
        messages.Add(1, new KeyValuePair<string, object?>("direction", "out"));
        messages.Add(3, new KeyValuePair<string, object?>("direction", "in"));

        var page = Scrape(out var text);

        Assert.Equal(
            """
            # HELP test_mqtt_messages_total MQTT messages.
            # TYPE test_mqtt_messages_total counter
            test_mqtt_messages_total{direction="in"} 5
            test_mqtt_messages_total{direction="out"} 1

            """.ReplaceLineEndings("\n"),
            text);
        Assert.Equal("counter", page.Families["test_mqtt_messages_total"].Type);
    }

    [Fact]
    public void A_histogram_has_cumulative_buckets_up_to_inf_a_sum_and_a_count()
    {
        var duration = _meter.CreateHistogram<double>("test.task.duration", "s", "How long tasks took.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 10] });
        foreach (var seconds in new[] { 0.25, 0.5, 0.75, 5, 50 })
        {
            duration.Record(seconds, new KeyValuePair<string, object?>("state", "completed"));
        }

        duration.Record(2, new KeyValuePair<string, object?>("state", "failed"));

        var page = Scrape(out var text);

        // 0.5 lands in le="0.5": a bucket's bound is inclusive.
        Assert.Equal(
            """
            # HELP test_task_duration_seconds How long tasks took.
            # TYPE test_task_duration_seconds histogram
            test_task_duration_seconds_bucket{state="completed",le="0.5"} 2
            test_task_duration_seconds_bucket{state="completed",le="1"} 3
            test_task_duration_seconds_bucket{state="completed",le="10"} 4
            test_task_duration_seconds_bucket{state="completed",le="+Inf"} 5
            test_task_duration_seconds_sum{state="completed"} 56.5
            test_task_duration_seconds_count{state="completed"} 5
            test_task_duration_seconds_bucket{state="failed",le="0.5"} 0
            test_task_duration_seconds_bucket{state="failed",le="1"} 0
            test_task_duration_seconds_bucket{state="failed",le="10"} 1
            test_task_duration_seconds_bucket{state="failed",le="+Inf"} 1
            test_task_duration_seconds_sum{state="failed"} 2
            test_task_duration_seconds_count{state="failed"} 1

            """.ReplaceLineEndings("\n"),
            text);
        Assert.Equal("histogram", page.Families["test_task_duration_seconds"].Type);
    }

    [Fact]
    public void A_histogram_without_advice_uses_prometheus_default_buckets_and_ignores_nan()
    {
        var latency = _meter.CreateHistogram<int>("test.latency", "ms");
        latency.Record(7);
        latency.Record(20_000);

        var page = Scrape(out _);

        Assert.Equal(
            ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"],
            page.Samples.Where(s => s.Name == "test_latency_milliseconds_bucket").Select(s => s.Labels["le"]));
        Assert.Equal(2, page.Value("test_latency_milliseconds_count"));
        Assert.Equal(20_007, page.Value("test_latency_milliseconds_sum"));
        Assert.Equal(1, page.Value("test_latency_milliseconds_bucket", ("le", "10")));

        var ratio = _meter.CreateHistogram<double>("test.ratio");
        ratio.Record(double.NaN);
        ratio.Record(0.5);
        page = Scrape(out _);
        Assert.Equal(1, page.Value("test_ratio_count"));
        Assert.Equal(0.5, page.Value("test_ratio_sum"));
    }

    [Fact]
    public void Hostile_label_values_are_escaped_and_read_back_unchanged()
    {
        string[] hostile =
        [
            "say \"hi\"",
            @"C:\temp\new",
            "two\nlines",
            "tâche ✓ 🚀",
            "carriage\rreturn",
            "} 1\nfake_metric 2",
            "trailing backslash \\",
            "",
        ];
        var counter = _meter.CreateCounter<int>("test.hostile");
        foreach (var value in hostile)
        {
            counter.Add(1, new KeyValuePair<string, object?>("value", value));
        }

        var page = Scrape(out var text);

        Assert.Equal(hostile.Order(StringComparer.Ordinal), page.Samples.Select(s => s.Labels["value"]).Order(StringComparer.Ordinal));
        Assert.Contains("""test_hostile_total{value="say \"hi\""} 1""", text);
        Assert.Contains("""test_hostile_total{value="C:\\temp\\new"} 1""", text);
        Assert.Contains("""test_hostile_total{value="two\nlines"} 1""", text);
        Assert.DoesNotContain("fake_metric", page.Samples.Select(s => s.Name));
    }

    [Fact]
    public void A_gauge_whose_callback_throws_is_left_out_and_the_others_are_shown()
    {
        _meter.CreateObservableGauge("test.broken", new Func<int>(() => throw new InvalidOperationException("the registry is gone")));
        _meter.CreateObservableGauge("test.fine", () => 7);
        _meter.CreateCounter<int>("test.count").Add(2);

        var page = Scrape(out _);

        Assert.Equal(7, page.Value("test_fine"));
        Assert.Equal(2, page.Value("test_count_total"));
        Assert.False(page.Families.ContainsKey("test_broken") && page.Samples.Any(s => s.Name == "test_broken"), "the broken gauge has no sample");
    }

    [Fact]
    public void Names_and_label_names_outside_the_grammar_are_sanitised()
    {
        _meter.CreateUpDownCounter<long>("9 lives.tâche-count").Add(1, [
            new("bad name", "1"),
            new("a.b", 2),
            new("7th", true),
            new("le", 1.5),
        ]);

        var page = Scrape(out _);

        var sample = page.Samples.Single();
        Assert.Equal("_9_lives_t_che_count", sample.Name);
        Assert.Equal(
            new Dictionary<string, string> { ["bad_name"] = "1", ["a_b"] = "2", ["_7th"] = "true", ["le"] = "1.5" },
            sample.Labels);
    }

    [Theory]
    [InlineData("propeller.task.duration", "s", false, "propeller_task_duration_seconds")]
    [InlineData("propeller.task.duration_seconds", "s", false, "propeller_task_duration_seconds")]
    [InlineData("propeller.mqtt.messages", "{message}", true, "propeller_mqtt_messages_total")]
    [InlineData("propeller.tasks.finished_total", null, true, "propeller_tasks_finished_total")]
    [InlineData("upload.size", "By", false, "upload_size_bytes")]
    [InlineData("cpu.utilization", "1", false, "cpu_utilization")]
    [InlineData("job:rate", "ms", false, "job:rate_milliseconds")]
    [InlineData("", null, false, "_")]
    public void Metric_names_follow_the_prometheus_conventions(string name, string? unit, bool counter, string expected)
    {
        Assert.Equal(expected, PrometheusNames.Metric(name, unit, counter));
    }

    [Fact]
    public void Gauges_show_the_current_value_and_observable_ones_are_read_at_each_scrape()
    {
        var running = _meter.CreateUpDownCounter<int>("test.running", description: "Running now.");
        running.Add(3);
        running.Add(-1);
        var level = _meter.CreateGauge<double>("test.level");
        level.Record(4);
        level.Record(2.5);
        IEnumerable<Measurement<long>> alive = [new(1, new KeyValuePair<string, object?>("zone", "a")), new(2, new KeyValuePair<string, object?>("zone", "b"))];
        _meter.CreateObservableGauge("test.alive", () => alive, description: "Alive now.");

        var page = Scrape(out _);

        Assert.Equal("gauge", page.Families["test_running"].Type);
        Assert.Equal(2, page.Value("test_running"));
        Assert.Equal(2.5, page.Value("test_level"));
        Assert.Equal(1, page.Value("test_alive", ("zone", "a")));
        Assert.Equal(2, page.Value("test_alive", ("zone", "b")));

        // Zone a is gone: its series goes, rather than showing its last value for ever.
        alive = [new(5, new KeyValuePair<string, object?>("zone", "b"))];
        page = Scrape(out _);

        Assert.Null(page.Value("test_alive", ("zone", "a")));
        Assert.Equal(5, page.Value("test_alive", ("zone", "b")));
    }

    [Fact]
    public void An_observable_counter_reports_its_total_rather_than_adding_it_up()
    {
        var total = 10L;
        _meter.CreateObservableCounter("test.bytes.read", () => total, "By");

        Assert.Equal(10, Scrape(out _).Value("test_bytes_read_bytes_total"));
        total = 25;
        Assert.Equal(25, Scrape(out _).Value("test_bytes_read_bytes_total"));
    }

    [Fact]
    public void Instruments_of_one_name_share_a_metric_and_one_of_another_kind_cannot_break_it()
    {
        using var second = new Meter(_meter.Name);
        using var exporter = new PrometheusExporter(meter => meter.Name == _meter.Name);
        _meter.CreateCounter<long>("test.events").Add(1);
        second.CreateCounter<long>("test.events").Add(2);
        second.CreateHistogram<double>("test.events_total").Record(1);

        var text = exporter.Render();
        var page = PrometheusTextParser.Parse(text);

        Assert.Equal(3, page.Value("test_events_total"));
        Assert.Equal("counter", page.Families["test_events_total"].Type);
        Assert.Single(page.Families);
    }

    [Fact]
    public void The_default_exporter_shows_propeller_meters_only()
    {
        using var ours = new Meter($"Propeller.Tests.Ours.{Guid.NewGuid():N}");
        using var theirs = new Meter($"Other.Tests.{Guid.NewGuid():N}");
        using var exporter = new PrometheusExporter();
        var name = $"test.ours.{Guid.NewGuid():N}";
        ours.CreateCounter<long>(name).Add(1);
        theirs.CreateCounter<long>(name + ".theirs").Add(1);

        var page = PrometheusTextParser.Parse(exporter.Render());

        Assert.Equal(1, page.Value(PrometheusNames.Metric(name, null, true)));
        Assert.Null(page.Value(PrometheusNames.Metric(name + ".theirs", null, true)));
    }

    [Theory]
    [InlineData("metric 1", true)]
    [InlineData("metric{a=\"x\",} 1 1700000000000", true)]
    [InlineData("metric{a=\"x\"} NaN", true)]
    [InlineData("metric{a=\"unclosed} 1", false)]
    [InlineData("metric{a=\"bad \\t escape\"} 1", false)]
    [InlineData("metric{a=\"x\",a=\"y\"} 1", false)]
    [InlineData("metric.name 1", false)]
    [InlineData("metric{1a=\"x\"} 1", false)]
    [InlineData("metric one", false)]
    [InlineData("metric 1\nmetric 2", false)]
    [InlineData("metric 1\nother 1\nmetric{a=\"b\"} 1", false)]
    [InlineData("metric 1\n# TYPE metric gauge", false)]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1", false)]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1", false)]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1", true)]
    public void The_test_parser_itself_refuses_what_a_scraper_would(string page, bool valid)
    {
        var text = page + "\n";
        if (valid)
        {
            PrometheusTextParser.Parse(text);
        }
        else
        {
            Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));
        }
    }
}
