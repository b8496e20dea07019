using System.Text;

namespace Propeller.Core.Metrics;

/// <summary>
/// Turns System.Diagnostics.Metrics names (<c>propeller.task.duration</c>, unit <c>s</c>) into Prometheus
/// names (<c>propeller_task_duration_seconds</c>), following OpenTelemetry's Prometheus conventions: every
/// character outside <c>[a-zA-Z0-9_:]</c> becomes <c>_</c>, the unit is spelled out and appended, and a
/// counter ends in <c>_total</c>.
/// </summary>
public static class PrometheusNames
{
    /// <summary>The Prometheus name of an instrument; <paramref name="isCounter"/> adds <c>_total</c>.</summary>
    public static string Metric(string name, string? unit, bool isCounter)
    {
        var result = Sanitize(name, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !result.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            result += "_" + suffix;
        }

        if (isCounter && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }

        return result;
    }

    /// <summary>A tag's name as a label name, <c>[a-zA-Z_][a-zA-Z0-9_]*</c> (labels may not hold colons).</summary>
    public static string Label(string name) => Sanitize(name, allowColon: false);

    /// <summary>
    /// The unit as Prometheus spells it: <c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>; a UCUM annotation
    /// such as <c>{message}</c> and the dimensionless <c>1</c> add nothing (they are not units).
    /// </summary>
    public static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => "",
        _ when unit.StartsWith('{') && unit.EndsWith('}') => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "min" => "minutes",
        "h" => "hours",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "%" => "percent",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        // A name may not start with a digit (nor be empty).
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
