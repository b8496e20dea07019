using System.Globalization;
using System.Text;

namespace Propeller.Core.Metrics;

/// <summary>The lexical rules of Prometheus' text exposition format 0.0.4: escaping and numbers.</summary>
public static class PrometheusText
{
    /// <summary>What a scraper expects in <c>Content-Type</c> for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>A label value between its quotes: backslash, double quote and line feed are escaped; everything else is UTF-8 as it is.</summary>
    public static string EscapeLabelValue(string value) => Escape(value, escapeQuote: true);

    /// <summary>A <c># HELP</c> docstring: backslash and line feed are escaped (quotes are not, in this format).</summary>
    public static string EscapeHelp(string value) => Escape(value, escapeQuote: false);

    /// <summary>A sample value or bucket bound as Go's ParseFloat reads it: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, or the shortest exact decimal.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A tag's value as label text: numbers in the invariant culture, booleans as <c>true</c>/<c>false</c>, null as empty.</summary>
    public static string LabelText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Escape(string value, bool escapeQuote)
    {
        if (value.AsSpan().IndexOfAny('\\', '\n', '"') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\n' => builder.Append(@"\n"),
                '"' when escapeQuote => builder.Append("\\\""),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
