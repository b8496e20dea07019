using System.Globalization;
using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Docs;

/// <summary>
/// Runs one doc's commands in order against the <see cref="DocsStack"/>, as a reader would, and
/// collects every failure (each naming the doc, line and command) instead of stopping at the first.
/// </summary>
public sealed partial class DocRunner(DocsStack stack, IReadOnlyDictionary<(string Doc, string Command), string> premises)
{
    /// <summary>The doc's task ids (UUIDs) → ids of real tasks in the test's manager.</summary>
    private readonly Dictionary<string, string> _ids = [];

    private readonly HashSet<(string, string)> _premisesUsed = [];

    /// <summary>The task the doc's commands created last: what a reader puts in $ID or ${TASK_ID}.</summary>
    private string? _lastCreated;

    public List<string> Failures { get; } = [];

    /// <summary>One line per command run: where, how it ended, what ran (after rewriting).</summary>
    public List<string> Log { get; } = [];

    /// <summary>How many commands went which way ("run: CLI", "skipped: …"), for the test's output.</summary>
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    /// <summary>How many of the commands run had their outcome compared with the output the doc shows.</summary>
    public int Compared { get; private set; }

    /// <summary>The premise entries that matched a command of this doc.</summary>
    public IReadOnlySet<(string, string)> PremisesUsed => _premisesUsed;

    public async Task RunAsync(Step step)
    {
        Counts[step.Category] = Counts.GetValueOrDefault(step.Category) + 1;
        try
        {
            switch (step.Check)
            {
                case Check.Cli:
                    CheckProgram(step, await RunShellAsync(await RewriteAsync(step)), UsageErrors);
                    break;
                case Check.Wasm:
                    CheckProgram(step, await RunShellAsync(await RewriteAsync(step)), WasmUsageErrors);
                    break;
                case Check.Curl:
                    await CheckCurlAsync(step);
                    break;
                case Check.Make:
                    CheckMakeTargets(step);
                    break;
                case Check.Pause:
                    await stack.WaitForRunsToEndAsync(_lastCreated is null ? _ids.Values : _ids.Values.Append(_lastCreated));
                    break;
                case Check.Unknown:
                    Failures.Add($"{step}: no check knows this command; run it in DocsCommandsTests or add its program to DocsCommandsTests.Skipped with the reason");
                    break;
            }
        }
        catch (TimeoutException e)
        {
            Failures.Add($"{step}: {e.Message}");
        }
    }

    /// <summary>CLI and propeller-wasm: the command line is understood, and where the doc shows output, the outcome matches.</summary>
    private void CheckProgram(Step step, ShellResult result, string[] usageErrors)
    {
        var source = step.Source;
        var comparable = step.ShowsOutput && !IsPremise(step);
        var expectsUsageError = comparable && source.DocumentedExitCode == 2;
        if (!expectsUsageError && (result.ExitCode == 2 || usageErrors.Any(e => result.Stderr.Contains(e, StringComparison.Ordinal) || result.Stdout.Contains(e, StringComparison.Ordinal))))
        {
            Failures.Add($"{step}: the command line is not understood:\n{result}");
            return;
        }

        if (comparable)
        {
            Compared++;
        }

        if (comparable && result.ExitCode != source.DocumentedExitCode)
        {
            Failures.Add($"{step}: the doc shows exit code {source.DocumentedExitCode}, the command ended with {result.ExitCode}:\n{result}");
        }
        else if (comparable && source.Printed.Count > 0 && Masked(source.Printed[0]) != Masked(result.FirstLine))
        {
            Failures.Add($"{step}: the doc's output starts with\n  {source.Printed[0]}\nbut the command printed first\n  {result.FirstLine}\n(ids and times aside):\n{result}");
        }

        BindCreatedId(step, result);
    }

    /// <summary>A command that creates a task prints its new id where the doc shows its own: later lines' uses of the doc's id mean the new task.</summary>
    private void BindCreatedId(Step step, ShellResult result)
    {
        if (!CreatesTask().IsMatch(step.Command) || Uuid().Match(result.Stdout) is not { Success: true } created)
        {
            return;
        }

        _lastCreated = created.Value;
        if (step.Source.Output.Select(l => Uuid().Match(l)).FirstOrDefault(m => m.Success) is { } documented)
        {
            _ids.TryAdd(documented.Value, created.Value);
        }
    }

    private async Task CheckCurlAsync(Step step)
    {
        var body = stack.Directory.Combine($"curl-{Guid.NewGuid():N}.out");
        // A bare file name (`@x.wasm`) is a placeholder for any module; a path must exist as written.
        var command = BareWasmUpload().Replace(await RewriteAsync(step), "@build/guests/greet.wasm");
        var result = await RunShellAsync($"{command} --silent --show-error --output '{body}' --write-out '%{{http_code}}'");
        if (result.ExitCode != 0 || !int.TryParse(result.Stdout.Trim(), CultureInfo.InvariantCulture, out var status))
        {
            Failures.Add($"{step}: curl failed:\n{result}");
            return;
        }

        var answer = File.Exists(body) ? await File.ReadAllTextAsync(body) : "";
        if (status == 201 && Uuid().Match(answer) is { Success: true } created)
        {
            _lastCreated = created.Value; // POST /tasks
        }

        if (status == 404 && answer.Contains("no such route", StringComparison.Ordinal))
        {
            Failures.Add($"{step}: the manager has no such route: {answer}");
        }
        else if (status >= 500)
        {
            Failures.Add($"{step}: the manager answered {status}: {answer}");
        }
        else if (step.ShowsOutput && step.Source.Printed.Count > 0)
        {
            // The doc's "# → 201 {…}" or "# → {"started":true}": its status, or its whole body when the doc shows all of it.
            var documented = step.Source.Printed[0];
            Compared++;
            if (DocumentedStatus().Match(documented) is { Success: true } code && code.Value != status.ToString(CultureInfo.InvariantCulture))
            {
                Failures.Add($"{step}: the doc shows status {code.Value}, the manager answered {status}: {answer}");
            }
            else if (documented.StartsWith('{') && !documented.Contains('…', StringComparison.Ordinal) && Squeezed(documented) != Squeezed(answer))
            {
                Failures.Add($"{step}: the doc shows the answer {documented}, the manager answered {status} {answer}");
            }
        }
    }

    private void CheckMakeTargets(Step step)
    {
        var targets = Shell.Program(Shell.Words(step.Command)).Skip(1).Where(w => !w.StartsWith('-') && !w.Contains('=', StringComparison.Ordinal));
        foreach (var target in targets.Where(t => !MakefileTargets.Value.Contains(t)))
        {
            Failures.Add($"{step}: the Makefile has no target '{target}' (it has: {string.Join(", ", MakefileTargets.Value.Order(StringComparer.Ordinal))})");
        }
    }

    private bool IsPremise(Step step)
    {
        var key = (step.Source.Doc, step.Source.Text);
        if (premises.ContainsKey(key))
        {
            _premisesUsed.Add(key);
            return true;
        }

        return false;
    }

    /// <summary>Runs with PROPELLER_MANAGER_URL naming the test's manager, as if the reader had exported it (a line may still set its own).</summary>
    private async Task<ShellResult> RunShellAsync(string command)
    {
        var result = await ShellRun.RunAsync(command, new Dictionary<string, string> { ["PROPELLER_MANAGER_URL"] = stack.Manager.BaseAddress.ToString() });
        Log.Add($"exit {result.ExitCode,3}  {command}");
        return result;
    }

    /// <summary>The command as it must be typed against the test's stack: its manager's port, real task ids, its fixture directory.</summary>
    private async Task<string> RewriteAsync(Step step)
    {
        var command = Step.ManagerAddress().Replace(step.Command, $"127.0.0.1:{stack.Manager.HttpPort}");
        command = DocFixture().Replace(command, stack.FixtureDirectory);
        foreach (var id in Uuid().Matches(command).Select(m => m.Value).Distinct().ToList())
        {
            command = command.Replace(id, await RealIdAsync(id, step), StringComparison.Ordinal);
        }

        if (IdVariable().IsMatch(command))
        {
            _lastCreated ??= await stack.CreateFinishedTaskAsync($"docs-{step.Source.Line}");
            command = IdVariable().Replace(command, _lastCreated);
        }

        return command;
    }

    /// <summary>
    /// The real task a doc's id stands for, made on first use: one that has run to its end (it can be
    /// viewed, watched, started again, stopped or deleted), or no task at all when the doc shows the id
    /// "not found" (such as the sample id of the CLI's help).
    /// </summary>
    private async Task<string> RealIdAsync(string documented, Step step)
    {
        if (!_ids.TryGetValue(documented, out var real))
        {
            var unknown = step.ShowsOutput && step.Source.Output.Any(l => l.Contains("not found", StringComparison.Ordinal));
            real = unknown ? Guid.NewGuid().ToString() : await stack.CreateFinishedTaskAsync($"docs-{step.Source.Line}");
            _ids[documented] = real;
        }

        return real;
    }

    /// <summary>A line with what changes between runs (ids, times, spacing) made the same.</summary>
    private static string Masked(string line) =>
        Whitespace().Replace(Time().Replace(Uuid().Replace(line, "<id>"), "<time>"), " ").Trim();

    private static string Squeezed(string json) => Whitespace().Replace(json, "");

    private static readonly string[] UsageErrors = ["Unrecognized command or argument", "Required argument missing"];

    private static readonly string[] WasmUsageErrors = ["unknown option", "unknown WASI option", "unknown wasm option"];

    private static readonly Lazy<HashSet<string>> MakefileTargets = new(() =>
        File.ReadLines(Path.Combine(Repository.Root, "Makefile"))
            .Select(l => MakeRule().Match(l))
            .Where(m => m.Success)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal));

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Uuid();

    /// <summary><c>$ID</c>, <c>${TASK_ID}</c>: the shell variables the docs keep a task's id in.</summary>
    [GeneratedRegex(@"\$\{?(?:TASK_)?ID\b\}?")]
    private static partial Regex IdVariable();

    [GeneratedRegex(@"(?<![\w/])/tmp/fixture\b")]
    private static partial Regex DocFixture();

    [GeneratedRegex(@"@[\w.-]+\.wasm\b")]
    private static partial Regex BareWasmUpload();

    [GeneratedRegex(@"(^|\s)(tasks\s+create|run)\s")]
    private static partial Regex CreatesTask();

    [GeneratedRegex(@"^\d{3}\b")]
    private static partial Regex DocumentedStatus();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z")]
    private static partial Regex Time();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^([a-z][\w-]*(?: [a-z][\w-]*)*):(?!=)")]
    private static partial Regex MakeRule();
}
