using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Compose;

/// <summary>
/// The environment variables a program reads, found the way a reviewer would grep for them: every string literal
/// <c>"MANAGER_…"</c> (or <c>"PROPLET_…"</c>) in the program's sources (its Options class, Program.cs) and in
/// Propeller.Core. A variable set in deployment files but named nowhere in the code is a misspelling or a leftover.
/// </summary>
public static partial class ProgramSettings
{
    public static IReadOnlySet<string> Manager { get; } = Find("Propeller.Manager", "MANAGER_");

    public static IReadOnlySet<string> Proplet { get; } = Find("Propeller.Proplet", "PROPLET_");

    /// <summary>The names a service's program reads, by the service's name in compose.yaml.</summary>
    public static IReadOnlySet<string> ForService(string service) => service switch
    {
        "manager" => Manager,
        "proplet" => Proplet,
        _ => throw new ArgumentException($"no Propeller program runs in service {service}", nameof(service)),
    };

    /// <summary>Fails naming every variable in <paramref name="names"/> that the program does not read.</summary>
    public static void AssertAllRead(IReadOnlySet<string> known, IEnumerable<string> names, string where)
    {
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        Assert.True(unknown.Count == 0,
            $"{where} sets {string.Join(", ", unknown)}, which the program does not read (misspelled?). It reads: {string.Join(", ", known.Order())}");
    }

    private static HashSet<string> Find(string project, string prefix)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in new[] { project, "Propeller.Core" })
        {
            var sources = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", directory), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));
            foreach (var file in sources)
            {
                // EXTERNAL_WASM_RUNTIME: upstream's legacy name for PROPLET_EXTERNAL_WASM_RUNTIME, read by the proplet.
                names.UnionWith(Literal().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)
                    .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) || (prefix == "PROPLET_" && n == "EXTERNAL_WASM_RUNTIME")));
            }
        }

        Assert.True(names.Count > 5, $"found only {names.Count} {prefix}* names in src/{project}: has the code moved?");
        return names;
    }

    [GeneratedRegex("\"((?:MANAGER|PROPLET)_[A-Z0-9_]+|EXTERNAL_WASM_RUNTIME)\"")]
    private static partial Regex Literal();
}
