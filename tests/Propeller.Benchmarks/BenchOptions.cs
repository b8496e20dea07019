namespace Propeller.Benchmarks;

/// <summary>The command line: <c>[--quick] [--no-docs] [GROUP …]</c>.</summary>
public sealed record BenchOptions(bool Quick, bool WriteDocs, IReadOnlyList<BenchGroup> Groups)
{
    public static string Usage =>
        "usage: propeller-benchmarks [--quick] [--no-docs] [GROUP ...]\n" +
        $"  GROUP: {string.Join(", ", BenchGroup.All.Select(g => g.Name))} (default: all of them; with --quick all but micro)\n" +
        "  --quick    fewer samples: under 3 minutes on 2 cores; prints the tables and leaves docs/benchmarks.md alone\n" +
        "  --no-docs  print the tables only (a full run otherwise rewrites its groups' figures in docs/benchmarks.md)";

    /// <exception cref="ArgumentException">An unknown option or group, with what is known.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var quick = false;
        var noDocs = false;
        var groups = new List<BenchGroup>();
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--quick":
                    quick = true;
                    break;
                case "--no-docs":
                    noDocs = true;
                    break;
                case "all":
                    groups.AddRange(BenchGroup.All);
                    break;
                default:
                    groups.Add(BenchGroup.All.FirstOrDefault(g => g.Name == arg)
                        ?? throw new ArgumentException($"'{arg}' is neither an option nor a benchmark group\n{Usage}"));
                    break;
            }
        }

        if (groups.Count == 0)
        {
            groups.AddRange(BenchGroup.All.Where(g => !quick || g.InQuick));
        }

        return new BenchOptions(quick, WriteDocs: !quick && !noDocs, [.. groups.Distinct()]);
    }
}
