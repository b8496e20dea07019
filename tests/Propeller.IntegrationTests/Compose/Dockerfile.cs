using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Compose;

/// <summary>One instruction: its keyword (upper case) and its arguments, continuation lines joined.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments)
{
    /// <summary>The arguments split on blanks, flags (<c>--from=…</c>) left out.</summary>
    public IReadOnlyList<string> Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();

    /// <summary>The value of a flag such as <c>--from</c>, or null.</summary>
    public string? Flag(string name) =>
        Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => w.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];
}

/// <summary>A build stage: <c>FROM image [AS name]</c> and its instructions.</summary>
public sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>The stage's ENV variables (<c>ENV A=1 B=2</c> form).</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        All("ENV").SelectMany(i => i.Words).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : throw new FormatException($"ENV {p[0]}: write NAME=VALUE"));
}

/// <summary>
/// A Dockerfile read as far as the static checks need: its stages, with the global ARG defaults substituted into
/// FROM lines and RUN commands (what `docker build` does with no --build-arg). Comments and blank lines dropped.
/// </summary>
public sealed partial class Dockerfile
{
    private Dockerfile(string name, IReadOnlyDictionary<string, string> arguments, IReadOnlyList<DockerStage> stages)
    {
        Name = name;
        Arguments = arguments;
        Stages = stages;
    }

    public string Name { get; }

    /// <summary>ARG defaults declared before the first FROM.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public DockerStage Stage(string name) =>
        Stages.SingleOrDefault(s => s.Name == name) ?? throw new Xunit.Sdk.XunitException($"{Name} has no stage named {name}");

    public static Dockerfile Load(string name)
    {
        var instructions = new List<DockerInstruction>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(Path.Combine(ComposeConfig.DockerDirectory, name)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = Regex.Replace(pending + line, @"\s+", " ");
            pending = "";
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..]));
        }

        var arguments = new Dictionary<string, string>();
        foreach (var argument in instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG"))
        {
            var parts = argument.Arguments.Split('=', 2);
            arguments[parts[0]] = parts.Length == 2 ? parts[1] : "";
        }

        var stages = new List<DockerStage>();
        foreach (var instruction in instructions.SkipWhile(i => i.Keyword != "FROM"))
        {
            var expanded = instruction with { Arguments = Expand(instruction.Arguments, arguments) };
            if (instruction.Keyword == "FROM")
            {
                var words = expanded.Words;
                stages.Add(new DockerStage(words[0], words.Count == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, new List<DockerInstruction>()));
            }
            else
            {
                ((List<DockerInstruction>)stages[^1].Instructions).Add(expanded);
            }
        }

        return new Dockerfile(name, arguments, stages);
    }

    /// <summary>The exec form <c>["/app/x", "arg"]</c> of ENTRYPOINT in the final stage.</summary>
    public IReadOnlyList<string> Entrypoint =>
        JsonSerializer.Deserialize<string[]>(Final.All("ENTRYPOINT").Single().Arguments)
        ?? throw new FormatException($"{Name}: ENTRYPOINT is not the exec form [\"…\"]");

    /// <summary>
    /// The executables the final image holds from <c>dotnet publish</c>: the AssemblyName of each project published in
    /// a stage, at the path where the final stage copies that stage's output directory.
    /// </summary>
    public IReadOnlySet<string> PublishedExecutables()
    {
        var executables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var copy in Final.All("COPY").Where(c => c.Flag("from") is not null))
        {
            var (source, destination) = (copy.Words[0].TrimEnd('/'), copy.Words[^1].TrimEnd('/'));
            foreach (Match publish in Publish().Matches(string.Join(" && ", Stage(copy.Flag("from")!).All("RUN").Select(r => r.Arguments))))
            {
                if (publish.Groups["out"].Value.TrimEnd('/') == source)
                {
                    executables.Add($"{destination}/{AssemblyName(publish.Groups["project"].Value)}");
                }
            }
        }

        return executables;
    }

    /// <summary>Paths in the final stage's <c>/usr/local/bin</c> (on PATH): COPY destinations and <c>ln -s</c> links, each with
    /// what it is (the copied source, or the link's target).</summary>
    public IReadOnlyDictionary<string, string> OnPath()
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var copy in Final.All("COPY").Where(c => c.Words[^1].StartsWith("/usr/local/bin/", StringComparison.Ordinal)))
        {
            files[copy.Words[^1]] = copy.Words[0];
        }

        foreach (Match link in Link().Matches(string.Join(" && ", Final.All("RUN").Select(r => r.Arguments))))
        {
            if (link.Groups["link"].Value.StartsWith("/usr/local/bin/", StringComparison.Ordinal))
            {
                files[link.Groups["link"].Value] = link.Groups["target"].Value;
            }
        }

        return files;
    }

    private static string AssemblyName(string project)
    {
        var directory = Path.Combine(Repository.Root, project);
        var csproj = Directory.GetFiles(directory, "*.csproj").Single();
        var match = Regex.Match(File.ReadAllText(csproj), "<AssemblyName>([^<]+)</AssemblyName>");
        return match.Success ? match.Groups[1].Value : Path.GetFileNameWithoutExtension(csproj);
    }

    private static string Expand(string text, IReadOnlyDictionary<string, string> arguments) =>
        Regex.Replace(text, @"\$\{(\w+)\}", m => arguments.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    [GeneratedRegex(@"dotnet publish (?<project>\S+)[^&]*? -o (?<out>\S+)")]
    private static partial Regex Publish();

    [GeneratedRegex(@"ln -s (?<target>\S+) (?<link>\S+)")]
    private static partial Regex Link();
}

/// <summary>Which paths a <c>.dockerignore</c> leaves out of the build context (Docker's rules: patterns in order, the last
/// that matches the path or one of its parents wins, <c>!</c> brings a path back; <c>*</c> within a name, <c>**</c> across).</summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

    public DockerIgnore(string path)
    {
        foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var exclude = !line.StartsWith('!');
            var pattern = line.TrimStart('!').Trim('/');
            var regex = "^" + Regex.Escape(pattern).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*\*", ".*", StringComparison.Ordinal)
                .Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$";
            _rules.Add((new Regex(regex), exclude));
        }
    }

    /// <summary>True when <paramref name="relativePath"/> (from the context's root, '/'-separated) is not sent to the builder.</summary>
    public bool Excludes(string relativePath)
    {
        var segments = relativePath.Trim('/').Split('/');
        var paths = Enumerable.Range(1, segments.Length).Select(n => string.Join('/', segments.Take(n))).ToList();
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (paths.Any(pattern.IsMatch))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }
}
