namespace Propeller.Benchmarks;

/// <summary>Rows of a Markdown table, printed as they come so a long run shows progress.</summary>
public sealed class Report
{
    private readonly List<(string What, string Figure, string Note)> _rows = [];

    public void Add(string what, string figure, string note = "")
    {
        _rows.Add((what, figure, note));
        Console.Error.WriteLine($"  {what}: {figure} {note}");
    }

    public string ToMarkdown() =>
        "| measured | figure | note |\n|---|---|---|\n" +
        string.Concat(_rows.Select(r => $"| {r.What} | {r.Figure} | {r.Note} |\n"));
}
