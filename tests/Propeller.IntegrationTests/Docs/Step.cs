using System.Text.RegularExpressions;

namespace Propeller.IntegrationTests.Docs;

/// <summary>How a documented command is checked.</summary>
public enum Check
{
    /// <summary><c>build/cli</c>, <c>build/propeller-cli</c>, <c>propeller-cli</c>: run against the test's manager.</summary>
    Cli,

    /// <summary><c>curl</c>: run against the test's manager; the route must exist.</summary>
    Curl,

    /// <summary><c>build/propeller-wasm</c>: run as it is.</summary>
    Wasm,

    /// <summary><c>make TARGET…</c>: the targets must be in the Makefile (nothing is built).</summary>
    Make,

    /// <summary><c>sleep</c>: the doc gives a task time to run; the test waits for the tasks it started to end instead.</summary>
    Pause,

    /// <summary>Not run here, for the reason given.</summary>
    Skip,

    /// <summary>No check knows it: a failure, so that no command goes unchecked silently.</summary>
    Unknown,
}

/// <summary>
/// One simple command of a documented line (<c>a; b &amp;&amp; c | d</c> has four). Only the last one's
/// output is what the doc shows, and a command whose output goes into a pipe shows none of its own.
/// </summary>
public sealed partial record Step(DocCommand Source, string Command, Check Check, string? Reason, bool IsLast, bool Piped)
{
    /// <summary>Whether the doc's output and exit code belong to this command.</summary>
    public bool ShowsOutput => IsLast && !Piped;

    /// <summary>How the test's output counts it.</summary>
    public string Category => Check switch
    {
        Check.Cli => "run: propeller-cli",
        Check.Curl => "run: curl",
        Check.Wasm => "run: propeller-wasm",
        Check.Make => "checked, not run: make",
        Check.Pause => "waited for the tasks started so far instead: sleep",
        Check.Skip => $"skipped: {Reason}",
        _ => "unknown (a failure)",
    };

    public override string ToString() => Command == Source.Text ? Source.ToString() : $"{Source} (the part `{Command}`)";

    /// <param name="skipped">Programs not run here, each with its reason.</param>
    public static IReadOnlyList<Step> Of(DocCommand source, IReadOnlyDictionary<string, string> skipped)
    {
        if (source.SkipReason is { } blockSkipped)
        {
            return [new Step(source, source.Text, Check.Skip, blockSkipped, IsLast: true, Piped: false)];
        }

        var steps = new List<Step>();
        var segments = Shell.Split(source.Text, "&&", "||", ";");
        for (var i = 0; i < segments.Count; i++)
        {
            // ID=$(curl … | jq -r .id): what runs is the command inside.
            var segment = CommandSubstitution().Match(segments[i]) is { Success: true } inner ? inner.Groups[1].Value : segments[i];
            var stages = Shell.Split(segment, "|");
            var last = i == segments.Count - 1;
            var (check, reason) = Classify(stages[0], skipped);
            steps.Add(new Step(source, stages[0], check, reason, last, Piped: stages.Count > 1));
            steps.AddRange(stages.Skip(1).Select(stage =>
                new Step(source, stage, Check.Skip, "after a pipe: reshapes output this test does not compare", last, Piped: false)));
        }

        return steps;
    }

    private static (Check, string?) Classify(string command, IReadOnlyDictionary<string, string> skipped)
    {
        var program = Shell.Program(Shell.Words(command));
        if (program.Count == 0)
        {
            return (Check.Skip, "NAME=value alone sets a shell variable (later lines' $ID or ${TASK_ID} get the task created last)");
        }

        return program[0] switch
        {
            "build/cli" or "build/propeller-cli" or "propeller-cli" => (Check.Cli, null),
            "curl" when !program.Any(w => ManagerAddress().IsMatch(w)) => (Check.Skip, "curl of something else than the manager at localhost:7070 (a download)"),
            "curl" => (Check.Curl, null),
            "build/propeller-wasm" => (Check.Wasm, null),
            "make" => (Check.Make, null),
            "sleep" => (Check.Pause, null),
            var name when skipped.TryGetValue(name, out var reason) => (Check.Skip, reason),
            _ => (Check.Unknown, null),
        };
    }

    [GeneratedRegex(@"^[A-Za-z_]\w*=\$\((.*)\)$")]
    private static partial Regex CommandSubstitution();

    /// <summary>Where the docs' manager listens (what <c>make run</c> starts).</summary>
    [GeneratedRegex(@"\b(localhost|127\.0\.0\.1):7070\b")]
    internal static partial Regex ManagerAddress();
}
