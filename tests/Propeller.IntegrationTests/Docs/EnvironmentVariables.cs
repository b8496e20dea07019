using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Docs;

/// <summary>A variable a doc tells readers to set, and where.</summary>
public sealed record DocumentedVariable(string Name, string Doc, int Line);

/// <summary>Which environment variables the docs name, and which the code reads.</summary>
public static partial class EnvironmentVariables
{
    /// <summary>
    /// The variables <paramref name="doc"/> says the programs read: every MANAGER_* and PROPLET_* name
    /// anywhere in it (those prefixes are the manager's and the proplets'), every <c>NAME=value</c> a
    /// command hands to the CLI or propeller-wasm, and in docs/configuration.md every name in the first
    /// column of a table headed "variable". Not counted: a line's <c>NAME=value</c> alone (a shell
    /// variable), and variables for programs that are not ours (compose's, make's).
    /// </summary>
    public static IEnumerable<DocumentedVariable> In(string doc, IEnumerable<Step> steps)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, doc));
        var inVariableTable = false;
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match name in ProgramPrefixed().Matches(lines[i]))
            {
                yield return new DocumentedVariable(name.Value, doc, i + 1);
            }

            var cells = lines[i].Trim().Trim('|').Split('|');
            inVariableTable = doc == "docs/configuration.md" && lines[i].TrimStart().StartsWith('|') && (inVariableTable || cells[0].Trim() == "variable");
            if (inVariableTable)
            {
                foreach (Match name in CodeSpanName().Matches(cells[0]))
                {
                    yield return new DocumentedVariable(name.Groups[1].Value, doc, i + 1);
                }
            }
        }

        foreach (var step in steps.Where(s => s.Check is Check.Cli or Check.Wasm))
        {
            foreach (var name in Shell.LeadingAssignments(Shell.Words(step.Command)))
            {
                yield return new DocumentedVariable(name, doc, step.Source.Line);
            }
        }
    }

    /// <summary>Whether src/ reads <paramref name="name"/>: it is a whole string literal there (readers spell names out, e.g. "MANAGER_LOG_LEVEL").</summary>
    public static bool IsRead(string name) => SourceLiterals.Value.Contains(name);

    private static readonly Lazy<HashSet<string>> SourceLiterals = new(() =>
    {
        var source = string.Join('\n', Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        return Literal().Matches(source).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    });

    [GeneratedRegex(@"\b(?:MANAGER|PROPLET)_[A-Z0-9][A-Z0-9_]*")]
    private static partial Regex ProgramPrefixed();

    [GeneratedRegex(@"`([A-Z][A-Z0-9_]*)`")]
    private static partial Regex CodeSpanName();

    /// <summary>"NAME": a whole string literal in capitals.</summary>
    [GeneratedRegex(@"""([A-Z][A-Z0-9_]*)""")]
    private static partial Regex Literal();
}
