using Propeller.Core.Commands;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// The proplet's rule for host paths in a task's cli_args (PROPLET_ALLOWED_DIRS): every <c>--dir</c> and
/// <c>-S nn-graph</c> directory must lie inside an allowed directory once it is made absolute (against the
/// proplet's working directory, <c>..</c> taken by name) and its symbolic links are followed
/// (<see cref="RealPath"/>), whichever runtime runs the task. What is passed on is that same absolute
/// path, so the runtime opens what was checked. Unset, the allowed directories are the proplet's own:
/// <c>&lt;working directory&gt;/fixture</c> and the directories of PROPLET_NN_GRAPHS.
/// </summary>
public sealed class AllowedDirectories
{
    private const string Setting = "PROPLET_ALLOWED_DIRS";

    private readonly bool _configured;

    public AllowedDirectories(IReadOnlyList<string> directories, bool configured)
    {
        Directories = directories;
        _configured = configured;
    }

    /// <summary>The allowed directories as configured (absolute; their own links are followed at each check).</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>PROPLET_ALLOWED_DIRS, or the defaults for the proplet's working directory and PROPLET_NN_GRAPHS.</summary>
    public static AllowedDirectories For(PropletOptions options) => options.AllowedDirs is { } configured
        ? new AllowedDirectories(configured, configured: true)
        : new AllowedDirectories(
            [.. new[] { Path.Combine(Environment.CurrentDirectory, "fixture") }
                .Concat(options.NnGraphs.Select(graph => Path.TrimEndingDirectorySeparator(Path.GetFullPath(graph.Directory))))
                .Distinct(StringComparer.Ordinal)],
            configured: false);

    /// <summary>
    /// <paramref name="line"/> with every <c>--dir</c> host directory replaced by its real path (the guest
    /// still sees the name the task gave) and every <c>-S nn-graph</c> directory made absolute (its base
    /// name stays the graph's name), so the runtime opens exactly what was checked, whatever its own
    /// working directory. Throws <see cref="WasmCommandLineException"/> naming the first directory that is
    /// not allowed.
    /// </summary>
    public WasmCommandLine Confine(WasmCommandLine line)
    {
        if (line.Dirs.Count == 0 && line.NnGraphs.Count == 0)
        {
            return line;
        }

        var allowed = Directories.Select(RealPathOrSelf).ToList();
        var dirs = new List<string>(line.Dirs.Count);
        foreach (var spec in line.Dirs)
        {
            var (host, guest) = WasmCommandLine.SplitDir(spec);
            var (_, real) = Check($"--dir={spec}", host, allowed, "map a directory inside it");
            dirs.Add($"{real}::{guest}");
        }

        var graphs = new List<(string, string)>(line.NnGraphs.Count);
        foreach (var (encoding, directory) in line.NnGraphs)
        {
            var (absolute, _) = Check($"-S nn-graph={encoding}::{directory}", directory, allowed, "name a graph directory inside it");
            graphs.Add((encoding, absolute));
        }

        return line with { Dirs = dirs, NnGraphs = graphs };
    }

    /// <summary>The allowed directories in words, for errors and the start-up log.</summary>
    public string Describe() => _configured
        ? $"{Setting} ({string.Join(", ", Directories)})"
        : $"{Setting} (unset, so {string.Join(", ", Directories)})";

    private (string Absolute, string Real) Check(string written, string path, List<string> allowed, string otherwise)
    {
        var absolute = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string real;
        try
        {
            real = RealPath.Of(absolute);
        }
        catch (IOException e)
        {
            throw new WasmCommandLineException($"{written}: {e.Message}");
        }

        if (!allowed.Any(directory => RealPath.IsInside(real, directory)))
        {
            var where = real == absolute ? absolute : $"{absolute} (which leads to {real})";
            throw new WasmCommandLineException($"{written}: {where} is not inside {Describe()}; add it there or {otherwise}");
        }

        // "::" separates host from guest in --dir and encoding from directory in nn-graph: a path holding it cannot be passed on.
        if (real.Contains("::", StringComparison.Ordinal) || absolute.Contains("::", StringComparison.Ordinal))
        {
            throw new WasmCommandLineException($"{written}: {real} contains '::', which a runtime's command line cannot carry; rename the directory");
        }

        return (absolute, real);
    }

    private static string RealPathOrSelf(string directory)
    {
        try
        {
            return RealPath.Of(directory);
        }
        catch (IOException)
        {
            return directory; // a loop: nothing beneath it can be reached anyway
        }
    }
}
