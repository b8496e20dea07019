using System.Text;

namespace Propeller.Core.Metrics;

/// <summary>How an instrument shows in Prometheus' text format.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// One Prometheus metric (one <c># TYPE</c>) and its series, one per distinct label set. Not thread-safe:
/// <see cref="PrometheusExporter"/> calls it under its lock.
/// </summary>
internal sealed class MetricFamily(string name, string help, MetricKind kind, bool observable, bool adds, double[] bounds)
{
    // Sorted by the rendered labels, so the output is the same from one scrape to the next.
    private readonly SortedDictionary<string, Series> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public MetricKind Kind { get; } = kind;

    /// <summary>Read through a callback at each scrape: the series are replaced, not accumulated, so a tag set that is gone disappears.</summary>
    public bool Observable { get; } = observable;

    /// <summary>A counter's or up-down counter's <c>Add</c>: each measurement adds to the series instead of replacing it.</summary>
    public bool Adds { get; } = adds;

    /// <summary>Whether two instruments can share this name: only those of one kind, measured the same way.</summary>
    public bool SameShape(MetricFamily other) => Kind == other.Kind && Observable == other.Observable && Adds == other.Adds;

    public void Clear() => _series.Clear();

    /// <summary>
    /// One measurement. A counter's or up-down counter's <c>Add</c> accumulates; an observable counter reports its
    /// total and a gauge its current value, so those replace; a histogram counts the value into its bucket.
    /// </summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Kind == MetricKind.Histogram && double.IsNaN(value))
        {
            return; // a NaN would make _sum NaN for good
        }

        var labels = Labels(tags);
        if (!_series.TryGetValue(labels, out var series))
        {
            series = new Series(Kind == MetricKind.Histogram ? new long[bounds.Length + 1] : null);
            _series.Add(labels, series);
        }

        if (Kind != MetricKind.Histogram)
        {
            series.Value = Adds ? series.Value + value : value;
            return;
        }

        // Stored per bucket; made cumulative when written. Bounds are upper bounds, inclusive (le).
        var bucket = Array.BinarySearch(bounds, value);
        series.Buckets![bucket >= 0 ? bucket : ~bucket]++;
        series.Sum += value;
        series.Count++;
    }

    public void WriteTo(StringBuilder output)
    {
        output.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(help)).Append('\n');
        output.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
        foreach (var (labels, series) in _series)
        {
            if (Kind != MetricKind.Histogram)
            {
                Sample(output, Name, labels, series.Value);
                continue;
            }

            var separator = labels.Length == 0 ? "" : ",";
            long cumulative = 0;
            for (var i = 0; i < series.Buckets!.Length; i++)
            {
                cumulative += series.Buckets[i];
                var le = i < bounds.Length ? PrometheusText.FormatValue(bounds[i]) : "+Inf";
                Sample(output, Name + "_bucket", $"{labels}{separator}le=\"{le}\"", cumulative);
            }

            Sample(output, Name + "_sum", labels, series.Sum);
            Sample(output, Name + "_count", labels, series.Count);
        }
    }

    private static void Sample(StringBuilder output, string name, string labels, double value)
    {
        output.Append(name);
        if (labels.Length > 0)
        {
            output.Append('{').Append(labels).Append('}');
        }

        output.Append(' ').Append(PrometheusText.FormatValue(value)).Append('\n');
    }

    /// <summary>
    /// The label set as written between braces, sorted by name: <c>direction="in",kind="alive"</c>. Two tags whose
    /// names sanitise alike keep the first; a histogram's tag named <c>le</c> is dropped (the bucket bound owns it).
    /// </summary>
    private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var label = PrometheusNames.Label(key);
            if ((Kind == MetricKind.Histogram && label == "le") || pairs.Exists(p => p.Name == label))
            {
                continue;
            }

            pairs.Add((label, PrometheusText.LabelText(value)));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return string.Join(',', pairs.Select(p => $"{p.Name}=\"{PrometheusText.EscapeLabelValue(p.Value)}\""));
    }

    private sealed class Series(long[]? buckets)
    {
        public double Value { get; set; }

        public long[]? Buckets { get; } = buckets;

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
