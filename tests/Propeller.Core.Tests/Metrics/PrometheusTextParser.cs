using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Propeller.Core.Tests.Metrics;

/// <summary>
/// A strict reader of Prometheus' text exposition format 0.0.4, as a scraper applies it: any line outside the
/// grammar, a name or label that is not allowed, an escape the format lacks, a TYPE after its samples, a metric
/// whose lines are not together, a repeated series, or a histogram whose buckets are not cumulative or lack
/// <c>+Inf</c> = <c>_count</c> throws <see cref="FormatException"/> naming the line. Shared with the integration tests.
/// </summary>
public static partial class PrometheusTextParser
{
    public static Exposition Parse(byte[] body) =>
        Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body));

    public static Exposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the last line does not end with a line feed");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var number = 1; number < lines.Length; number++)
        {
            var line = lines[number - 1];
            try
            {
                if (line.Trim(' ', '\t').Length == 0)
                {
                    continue;
                }

                string familyName;
                if (line.StartsWith('#'))
                {
                    var comment = CommentLine().Match(line);
                    if (!comment.Success)
                    {
                        if (line.StartsWith("# HELP", StringComparison.Ordinal) || line.StartsWith("# TYPE", StringComparison.Ordinal))
                        {
                            throw new FormatException("a HELP or TYPE line without a valid metric name");
                        }

                        continue; // a plain comment
                    }

                    familyName = comment.Groups["name"].Value;
                    var family = families.GetValueOrDefault(familyName) ?? (families[familyName] = new Family(familyName));
                    if (family.Samples.Count > 0)
                    {
                        throw new FormatException($"{comment.Groups["what"].Value} for {familyName} after its samples");
                    }

                    if (comment.Groups["what"].Value == "HELP")
                    {
                        family.Help = family.Help is null ? Unescape(comment.Groups["rest"].Value, quotes: false) : throw new FormatException($"a second HELP for {familyName}");
                    }
                    else
                    {
                        var type = comment.Groups["rest"].Value.Trim(' ', '\t');
                        if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                        {
                            throw new FormatException($"unknown TYPE '{type}'");
                        }

                        family.Type = family.Type is null ? type : throw new FormatException($"a second TYPE for {familyName}");
                    }
                }
                else
                {
                    var sample = ParseSample(line);
                    familyName = FamilyOf(sample.Name, families);
                    var family = families.GetValueOrDefault(familyName) ?? (families[familyName] = new Family(familyName));
                    var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                    if (!seen.Add(key))
                    {
                        throw new FormatException($"the series {key} appears twice");
                    }

                    if (family.Type == "counter" && !(sample.Value >= 0))
                    {
                        throw new FormatException($"counter {sample.Name} is {sample.Value}");
                    }

                    family.Samples.Add(sample);
                    samples.Add(sample);
                }

                if (familyName != current)
                {
                    if (current is not null)
                    {
                        closed.Add(current);
                    }

                    if (closed.Contains(familyName))
                    {
                        throw new FormatException($"the lines of {familyName} are not together");
                    }

                    current = familyName;
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {number}: {e.Message}: {line}", e);
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return new Exposition(families, samples);
    }

    private static Sample ParseSample(string line)
    {
        var name = MetricName().Match(line);
        if (!name.Success)
        {
            throw new FormatException("no metric name [a-zA-Z_:][a-zA-Z0-9_:]* at the start");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = name.Length;
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (true)
            {
                if (at < line.Length && line[at] == '}')
                {
                    at++;
                    break;
                }

                var label = LabelName().Match(line, at);
                if (!label.Success || label.Index != at)
                {
                    throw new FormatException($"no label name [a-zA-Z_][a-zA-Z0-9_]* at column {at + 1}");
                }

                at += label.Length;
                if (at + 1 >= line.Length || line[at] != '=' || line[at + 1] != '"')
                {
                    throw new FormatException($"label {label.Value} is not followed by =\"");
                }

                at += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (at >= line.Length)
                    {
                        throw new FormatException($"the value of label {label.Value} is not closed");
                    }

                    var c = line[at++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        value.Append(at < line.Length ? line[at++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"the escape \\{other} in label {label.Value}"),
                        } : throw new FormatException("a backslash ends the line"));
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(label.Value, value.ToString()))
                {
                    throw new FormatException($"label {label.Value} twice");
                }

                if (at < line.Length && line[at] == ',')
                {
                    at++;
                }
                else if (at >= line.Length || line[at] != '}')
                {
                    throw new FormatException($"neither , nor }} after label {label.Value}");
                }
            }
        }

        var rest = line[at..];
        if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '\t'))
        {
            throw new FormatException("no blank between the series and its value");
        }

        var fields = rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is 0 or > 2 || !FloatValue().IsMatch(fields[0]) || (fields.Length == 2 && !Timestamp().IsMatch(fields[1])))
        {
            throw new FormatException($"'{rest.Trim()}' is not a value and an optional timestamp");
        }

        return new Sample(name.Value, labels, ParseFloat(fields[0]));
    }

    private static double ParseFloat(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>A histogram's or summary's sample belongs to the family its TYPE names; any other to its own name.</summary>
    private static string FamilyOf(string sample, Dictionary<string, Family> families)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && families.GetValueOrDefault(sample[..^suffix.Length])?.Type is "histogram" or "summary")
            {
                return sample[..^suffix.Length];
            }
        }

        return sample;
    }

    private static void CheckHistogram(Family family)
    {
        var name = family.Name;
        if (family.Samples.Find(s => s.Name != name + "_bucket" && s.Name != name + "_sum" && s.Name != name + "_count") is { } stray)
        {
            throw new FormatException($"histogram {name} has a sample {stray.Name}");
        }

        foreach (var series in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal))))
        {
            var buckets = series.Where(s => s.Name == name + "_bucket").ToList();
            if (buckets.Exists(b => !b.Labels.TryGetValue("le", out var le) || !FloatValue().IsMatch(le)))
            {
                throw new FormatException($"histogram {name}{{{series.Key}}} has a bucket without a numeric le");
            }

            var ordered = buckets.OrderBy(b => ParseFloat(b.Labels["le"])).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Value < ordered[i - 1].Value)
                {
                    throw new FormatException($"histogram {name}{{{series.Key}}}: bucket le={ordered[i].Labels["le"]} holds less than le={ordered[i - 1].Labels["le"]} (not cumulative)");
                }
            }

            var count = series.SingleOrDefault(s => s.Name == name + "_count") ?? throw new FormatException($"histogram {name}{{{series.Key}}} has no _count");
            _ = series.SingleOrDefault(s => s.Name == name + "_sum") ?? throw new FormatException($"histogram {name}{{{series.Key}}} has no _sum");
            var infinity = ordered.LastOrDefault();
            if (infinity is null || infinity.Labels["le"] != "+Inf" || infinity.Value != count.Value)
            {
                throw new FormatException($"histogram {name}{{{series.Key}}}: the le=\"+Inf\" bucket must be there and equal _count ({count.Value})");
            }
        }
    }

    private static string Unescape(string text, bool quotes)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            result.Append(++i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quotes => '"',
                var other => throw new FormatException($"the escape \\{other}"),
            } : throw new FormatException("a backslash ends the line"));
        }

        return result.ToString();
    }

    [GeneratedRegex(@"^#[ \t]+(?<what>HELP|TYPE)[ \t]+(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t](?<rest>.*))?$")]
    private static partial Regex CommentLine();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)$")]
    private static partial Regex FloatValue();

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex Timestamp();

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Help { get; set; }

        public string? Type { get; set; }

        public List<Sample> Samples { get; } = [];
    }

    /// <summary>What a scrape showed: the metrics by name and every sample in order.</summary>
    public sealed record Exposition(IReadOnlyDictionary<string, Family> Families, IReadOnlyList<Sample> Samples)
    {
        /// <summary>The value of the one sample with this name and (at least) these labels; null when there is none.</summary>
        public double? Value(string name, params (string Label, string Value)[] labels)
        {
            var matching = Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).ToList();
            return matching.Count switch
            {
                0 => null,
                1 => matching[0].Value,
                _ => throw new InvalidOperationException($"{matching.Count} samples of {name} match; name every label"),
            };
        }

        /// <summary>The sum over every sample with this name and (at least) these labels; 0 when there is none.</summary>
        public double Sum(string name, params (string Label, string Value)[] labels) =>
            Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);
    }
}
