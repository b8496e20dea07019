using System.Diagnostics;
using Propeller.Benchmarks;
using Propeller.Testing;

// Runs the benchmark groups, prints each one's Markdown table, and (full runs) rewrites their figures in docs/benchmarks.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var run = RunInfo.Collect(options.Quick);
var settings = new BenchSettings(options.Quick);
var docs = Path.Combine(Repository.Root, "docs", "benchmarks.md");
Console.Error.WriteLine($"# Propeller benchmarks at {run.Commit} on {run.Machine}{(options.Quick ? ", quick" : "")}: {string.Join(", ", options.Groups.Select(g => g.Name))}");
var total = Stopwatch.GetTimestamp();
foreach (var group in options.Groups)
{
    Console.Error.WriteLine($"## {group.Name}");
    var report = new Report();
    var started = Stopwatch.GetTimestamp();
    await group.RunAsync(report, settings);
    var section = $"{run.Caption(Stopwatch.GetElapsedTime(started))}\n\n{report.ToMarkdown()}";
    Console.WriteLine($"## {group.Name}\n\n{section}");

    // Written after each group, so an interrupted run keeps what it measured.
    if (options.WriteDocs)
    {
        await File.WriteAllTextAsync(docs, BenchmarksDocument.Replace(await File.ReadAllTextAsync(docs), group.Name, section));
    }
}

Console.Error.WriteLine($"# done in {Stopwatch.GetElapsedTime(total).TotalSeconds:0} s{(options.WriteDocs ? $"; figures written to {docs}" : "")}");
return 0;
