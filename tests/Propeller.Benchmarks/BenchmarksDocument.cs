namespace Propeller.Benchmarks;

/// <summary>
/// Rewrites the generated parts of docs/benchmarks.md: each group's figures sit between
/// <c>&lt;!-- bench:GROUP:begin --&gt;</c> and <c>&lt;!-- bench:GROUP:end --&gt;</c> lines; everything outside
/// them (the hand-written explanations, older figures) is kept as it is.
/// </summary>
public static class BenchmarksDocument
{
    public static string BeginMarker(string group) => $"<!-- bench:{group}:begin -->";

    public static string EndMarker(string group) => $"<!-- bench:{group}:end -->";

    /// <summary>The document with the lines between <paramref name="group"/>'s markers replaced by <paramref name="content"/>.</summary>
    /// <exception cref="InvalidOperationException">The markers are missing, repeated or out of order.</exception>
    public static string Replace(string document, string group, string content)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(content);
        var newline = document.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = document.Split(newline);
        var begin = FindLine(lines, BeginMarker(group), group);
        var end = FindLine(lines, EndMarker(group), group);
        if (end < begin)
        {
            throw new InvalidOperationException($"docs/benchmarks.md: {EndMarker(group)} comes before {BeginMarker(group)}; put the end marker after the begin marker");
        }

        var body = content.ReplaceLineEndings(newline).TrimEnd().Split(newline);
        return string.Join(newline, [.. lines[..(begin + 1)], .. body, .. lines[end..]]);
    }

    private static int FindLine(string[] lines, string marker, string group)
    {
        var found = lines.Select((line, index) => (line, index)).Where(l => l.line.Trim() == marker).Select(l => l.index).ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new InvalidOperationException($"docs/benchmarks.md has no line '{marker}': add the {group} group's begin and end markers where its figures belong"),
            _ => throw new InvalidOperationException($"docs/benchmarks.md has the line '{marker}' {found.Count} times; keep one"),
        };
    }
}
