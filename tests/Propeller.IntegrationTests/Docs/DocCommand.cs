using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Docs;

/// <summary>
/// A command line a reader could copy from a doc, with the output the doc shows for it: in a
/// <c>console</c> block the lines after <c>$ cmd</c> up to the next prompt; in a <c>bash</c> block
/// only a <c># → …</c> comment (other comments there describe the command, they are not output).
/// </summary>
public sealed partial record DocCommand(string Doc, int Line, string Text, IReadOnlyList<string> Output)
{
    /// <summary>The exit code the doc shows: its <c>[exit code N]</c> line, else 0.</summary>
    public int DocumentedExitCode =>
        Output.Count > 0 && ExitCodeLine().Match(Output[^1]) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The output the doc shows, without its <c>[exit code N]</c> line.</summary>
    public IReadOnlyList<string> Printed => Output.Count > 0 && ExitCodeLine().IsMatch(Output[^1]) ? Output.Take(Output.Count - 1).ToList() : Output;

    /// <summary>
    /// Why the command is not run, when its block follows a <c>&lt;!-- docs-check: skip: REASON --&gt;</c> line
    /// (a flow that needs what this machine lacks, e.g. the Docker images). The reader sees the comment in
    /// the doc's source and the test's output counts it under the reason.
    /// </summary>
    public string? SkipReason { get; init; }

    /// <summary>How failures name the command: where it is, and what it says.</summary>
    public override string ToString() => $"{Doc}:{Line}: {Text}";

    /// <summary>README.md and docs/*.md, as paths relative to the repository root.</summary>
    public static IReadOnlyList<string> DocFiles() =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md")
                .Select(f => Path.GetRelativePath(Repository.Root, f))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>
    /// Every command line in the fenced console and bash blocks of <paramref name="doc"/>, in order, and
    /// the <c>`make …`</c> code spans of its prose (make targets are checked without running anything).
    /// </summary>
    public static IReadOnlyList<DocCommand> Read(string doc)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, doc));
        var commands = new List<DocCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (Fence().Match(lines[i]) is not { Success: true } fence)
            {
                commands.AddRange(InlineMake().Matches(lines[i]).Select(m => new DocCommand(doc, i + 1, m.Groups[1].Value, [])));
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            end = end < 0 ? lines.Length : end;
            var body = lines[(i + 1)..end];
            var firstLine = i + 2; // 1-based number of body[0]
            var before = lines.Take(i).LastOrDefault(l => l.Trim().Length > 0) ?? "";
            var skip = SkipMarker().Match(before) is { Success: true } marker ? marker.Groups[1].Value.Trim() : null;
            var block = fence.Groups[1].Value switch
            {
                "console" or "shell-session" => ReadConsole(doc, body, firstLine),
                "bash" or "sh" or "shell" or "zsh" => ReadScript(doc, body, firstLine),
                _ => [],
            };
            commands.AddRange(block.Select(c => c with { SkipReason = skip }));

            i = end;
        }

        return commands;
    }

    private static IEnumerable<DocCommand> ReadConsole(string doc, string[] body, int firstLine)
    {
        for (var i = 0; i < body.Length; i++)
        {
            if (!body[i].StartsWith("$ ", StringComparison.Ordinal))
            {
                continue;
            }

            var line = firstLine + i;
            var text = body[i][2..];
            while (text.EndsWith('\\') && i + 1 < body.Length)
            {
                text = text[..^1] + " " + body[++i].Trim();
            }

            var output = body.Skip(i + 1).TakeWhile(l => !l.StartsWith("$ ", StringComparison.Ordinal)).ToList();
            yield return new DocCommand(doc, line, text.Trim(), output);
        }
    }

    private static IEnumerable<DocCommand> ReadScript(string doc, string[] body, int firstLine)
    {
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i].Trim().Length == 0 || body[i].TrimStart().StartsWith('#'))
            {
                continue;
            }

            var line = firstLine + i;
            var text = body[i];
            while (text.EndsWith('\\') && i + 1 < body.Length)
            {
                text = text[..^1] + " " + body[++i].Trim();
            }

            var (code, comment) = Shell.StripComment(text);
            // "# → answer" documents the output, on the command's line or the one after it.
            var next = i + 1 < body.Length ? body[i + 1].Trim() : "";
            var answer = comment is not null && comment.StartsWith('→') ? comment
                : next.StartsWith("# →", StringComparison.Ordinal) ? next[1..].Trim()
                : null;
            yield return new DocCommand(doc, line, code.Trim(), answer is null ? [] : [answer.TrimStart('→').Trim()]);
        }
    }

    [GeneratedRegex(@"^\s*```\s*([\w-]*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!-- docs-check: skip: (.+?) -->\s*$")]
    private static partial Regex SkipMarker();

    [GeneratedRegex(@"`(make(?: [^`]*)?)`")]
    private static partial Regex InlineMake();

    [GeneratedRegex(@"^\[exit code (\d+)\]$")]
    private static partial Regex ExitCodeLine();
}
