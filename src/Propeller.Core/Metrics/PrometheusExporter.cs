using System.Diagnostics.Metrics;
using System.Text;

namespace Propeller.Core.Metrics;

/// <summary>
/// Listens to the process's System.Diagnostics.Metrics instruments and renders them in Prometheus' text
/// exposition format 0.0.4. No Prometheus or OpenTelemetry package is available to this project, and the
/// format is small: counters and up-down counters, gauges (observable or not) and histograms with their
/// advised bucket boundaries. Create it at start-up: a synchronous instrument's measurements before that are
/// not seen. By default it listens to the meters whose names start with <c>Propeller</c>.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Prometheus' client defaults, in seconds, for a histogram whose instrument advises none.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Dictionary<Type, (MetricKind Kind, bool Observable, bool Adds)> Shapes = new()
    {
        [typeof(Counter<>)] = (MetricKind.Counter, false, true),
        [typeof(ObservableCounter<>)] = (MetricKind.Counter, true, false),
        [typeof(UpDownCounter<>)] = (MetricKind.Gauge, false, true),
        [typeof(ObservableUpDownCounter<>)] = (MetricKind.Gauge, true, false),
        [typeof(Gauge<>)] = (MetricKind.Gauge, false, false),
        [typeof(ObservableGauge<>)] = (MetricKind.Gauge, true, false),
        [typeof(Histogram<>)] = (MetricKind.Histogram, false, false),
    };

    private readonly Func<Meter, bool> _includes;
    private readonly MeterListener _listener = new();

    // One lock for every family: measurements are few (per task, per message, per inference), and a scrape
    // must see a consistent picture. Reentrant, as observable callbacks record while Render holds it.
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    public PrometheusExporter()
        : this(meter => meter.Name.StartsWith("Propeller", StringComparison.Ordinal))
    {
    }

    /// <param name="includes">Which meters to listen to.</param>
    public PrometheusExporter(Func<Meter, bool> includes)
    {
        _includes = includes;
        _listener.InstrumentPublished = Published;
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => Record(state, (double)value, tags));
        _listener.Start();
    }

    /// <summary>Every metric now, in name order: observable instruments are read, the others show what they recorded so far.</summary>
    public string Render()
    {
        var output = new StringBuilder();
        lock (_lock)
        {
            foreach (var family in _families.Values.Where(f => f.Observable))
            {
                family.Clear();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException)
            {
                // The listener reads every instrument and then throws what their callbacks threw: an instrument that
                // failed is left out of this scrape, the others are shown (a scrape must not fail for one gauge).
            }

            foreach (var family in _families.Values)
            {
                family.WriteTo(output);
            }
        }

        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Published(Instrument instrument, MeterListener listener)
    {
        if (!_includes(instrument.Meter) || !instrument.GetType().IsGenericType
            || !Shapes.TryGetValue(instrument.GetType().GetGenericTypeDefinition(), out var shape))
        {
            return;
        }

        var name = PrometheusNames.Metric(instrument.Name, instrument.Unit, shape.Kind == MetricKind.Counter);
        var family = new MetricFamily(
            name,
            instrument.Description ?? instrument.Name,
            shape.Kind,
            shape.Observable,
            shape.Adds,
            shape.Kind == MetricKind.Histogram ? BucketBounds(instrument) : []);
        lock (_lock)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                // Instruments of one name in several meters (or a meter made again) share the metric; one of
                // another kind cannot, as a name has one TYPE: the first keeps it and the other is not shown.
                if (!existing.SameShape(family))
                {
                    return;
                }

                family = existing;
            }
            else
            {
                _families.Add(name, family);
            }
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            ((MetricFamily)state!).Record(value, tags);
        }
    }

    /// <summary>The instrument's advised bucket boundaries (ascending, as InstrumentAdvice insists) without infinities; the defaults when it advises none.</summary>
    private static double[] BucketBounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<double> i => i.Advice?.HistogramBucketBoundaries,
            Instrument<float> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<long> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<short> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<byte> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<decimal> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        var bounds = advised?.Where(double.IsFinite).ToArray();
        return bounds is { Length: > 0 } ? bounds : DefaultBuckets;
    }
}
