using Propeller.IntegrationTests.Docs;
using Xunit.Abstractions;

namespace Propeller.IntegrationTests;

/// <summary>
/// Every command a reader could copy from README.md and docs/*.md is run or checked, so the docs
/// cannot drift from the code: CLI lines run against a live manager and proplet, curl lines must hit
/// routes that exist, make targets must exist, documented variables must be read by src/. A command
/// nothing checks fails, unless its program is in <see cref="Skipped"/> with the reason, or its block follows a
/// <c>&lt;!-- docs-check: skip: REASON --&gt;</c> line (<see cref="DocCommand.SkipReason"/>).
/// </summary>
public sealed class DocsCommandsTests(DocsStack stack, ITestOutputHelper output) : IClassFixture<DocsStack>
{
    /// <summary>Programs whose lines cannot run here, and why. Keep it short: everything else is run or checked.</summary>
    public static readonly IReadOnlyDictionary<string, string> Skipped = new Dictionary<string, string>
    {
        ["docker"] = "needs a Docker engine",
        ["wasmtime"] = "needs the real wasmtime, which no registry here ships (build/propeller-wasm stands in for it)",
        ["jq"] = "formats JSON from a file or a pipe",
        ["export"] = "sets a variable in the reader's shell (a MANAGER_/PROPLET_ name in it is still checked against the code)",
        ["cd"] = "moves the reader's shell",
        ["sudo"] = "changes the system",
        ["apt"] = "installs system packages",
        ["apt-get"] = "installs system packages",
        ["mosquitto_sub"] = "listens until stopped, on a broker port this test does not open",
    };

    /// <summary>
    /// Examples the docs say were captured in another situation than this test's stack (a manager and
    /// proplet-local, the docs' commands run in order). They are still run, and must be understood;
    /// only their exit code and first line are not compared. An entry that matches no command fails.
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Doc, string Command), string> Premises = new Dictionary<(string, string), string>
    {
        [("docs/cli.md", "build/cli tasks list")] = "shows the error when no manager runs",
        [("docs/cli.md", "build/cli tasks start 586d3576-753c-401c-9996-8a870f3253ac --wait")] = "captured before the section above deleted that task",
        [("docs/cli.md", "build/cli tasks start 881b49dd-d22e-4854-801f-397af5694cc4")] = "captured against a manager with no proplet",
        [("docs/cli.md", "build/cli tasks stop cdbd986f-a0e7-49cb-8673-709cfe0876f5")] = "stops a sleep task that is running, then stops it again",
        [("docs/cli.md", "build/cli tasks watch ffbe8961-88df-4a1c-9927-f840336705e3 -o table")] = "watches a task that fails",
        [("docs/cli.md", "timeout --preserve-status -s INT 3 build/cli run build/guests/greet.wasm")] = "captured against a manager with no proplet",
    };

    public static TheoryData<string> Docs() => [.. DocCommand.DocFiles()];

    [Theory]
    [MemberData(nameof(Docs))]
    public async Task EveryCommandRunsAsDocumented(string doc)
    {
        var runner = new DocRunner(stack, Premises);
        foreach (var step in DocCommand.Read(doc).SelectMany(c => Step.Of(c, Skipped)))
        {
            await runner.RunAsync(step);
        }

        output.WriteLine(runner.Counts.Count == 0 ? $"{doc}: no commands" : $"""
            {doc}:
            {Report(runner.Counts)}
            of the commands run, {runner.Compared} compared with the doc's output (exit code or HTTP status, first line)
            Run:
              {string.Join("\n  ", runner.Log)}
            """);
        var stale = Premises.Keys.Where(k => k.Doc == doc && !runner.PremisesUsed.Contains(k)).ToList();
        runner.Failures.AddRange(stale.Select(k => $"{k.Doc}: the premise entry for `{k.Command}` matches no example that shows output; remove it from DocsCommandsTests.Premises"));
        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} documented command(s) in {doc} do not work as written:\n\n{string.Join("\n\n", runner.Failures)}");
    }

    [Fact]
    public void EveryDocumentedVariableIsReadByTheCode()
    {
        var documented = DocCommand.DocFiles()
            .SelectMany(doc => EnvironmentVariables.In(doc, DocCommand.Read(doc).SelectMany(c => Step.Of(c, Skipped))))
            .Distinct()
            .ToList();
        Assert.Contains(documented, v => v.Doc == "docs/configuration.md"); // else the reading broke
        var unread = documented.Where(v => !EnvironmentVariables.IsRead(v.Name)).ToList();
        output.WriteLine($"{documented.Select(v => v.Name).Distinct().Count()} variables named in the docs ({documented.Count} mentions); {unread.Count} not read by src/");
        Assert.True(unread.Count == 0, "documented variables that no code in src/ reads (a string literal \"NAME\" there):\n" +
            string.Join("\n", unread.Select(v => $"{v.Doc}:{v.Line}: {v.Name}")));
    }

    /// <summary>How the docs' commands split between checks, for the test's output. The docs do have CLI and curl lines: finding none means the reading broke, not that all is well.</summary>
    [Fact]
    public void EveryCommandHasACheck()
    {
        var steps = DocCommand.DocFiles().SelectMany(DocCommand.Read).SelectMany(c => Step.Of(c, Skipped)).ToList();
        var counts = new SortedDictionary<string, int>(steps.GroupBy(s => s.Category).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
        output.WriteLine($"{steps.Count} commands in {DocCommand.DocFiles().Count} docs:\n{Report(counts)}");
        Assert.Contains(steps, s => s.Check == Check.Cli);
        Assert.Contains(steps, s => s.Check == Check.Curl);
        var unknown = steps.Where(s => s.Check == Check.Unknown).ToList();
        Assert.True(unknown.Count == 0, "commands no check knows (run them in DocsCommandsTests, or add their program to Skipped with the reason):\n" + string.Join("\n", unknown));
    }

    private static string Report(IDictionary<string, int> counts) => string.Join("\n", counts.Select(c => $"  {c.Value,3}  {c.Key}"));
}
