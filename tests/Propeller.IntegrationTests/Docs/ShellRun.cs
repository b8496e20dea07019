using System.Diagnostics;
using System.Text;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Docs;

/// <summary>What one documented command printed when bash ran it.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The first line the command printed: stdout's, or stderr's when stdout is empty (the docs show both together).</summary>
    public string FirstLine => FirstOf(Stdout) ?? FirstOf(Stderr) ?? "";

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    private static string? FirstOf(string text) => text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0);
}

/// <summary>Runs a command line with bash, in the repository root, as a reader would after <c>make all</c>.</summary>
public static class ShellRun
{
    /// <summary>A hang guard, not a performance bound.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="environment">Added to the process's environment; MANAGER_*, PROPLET_* and PROPELLER_* of the test's own are removed first.</param>
    public static async Task<ShellResult> RunAsync(string command, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MANAGER_", StringComparison.Ordinal) || k.StartsWith("PROPLET_", StringComparison.Ordinal) || k.StartsWith("PROPELLER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        // A ./config.toml that a developer provisioned in the repository must not change what the docs' commands do.
        foreach (var (key, value) in Repository.NoConfigFiles)
        {
            start.Environment[key] = value;
        }

        // `propeller-cli …` as the docs write it, without build/: the reader put build/ on PATH.
        start.Environment["PATH"] = $"{Repository.BuildDirectory}:{start.Environment["PATH"]}";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close(); // nothing a command reads from its terminal is there
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{command}` did not end within {Timeout.TotalSeconds} s. stdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new ShellResult(process.ExitCode, await stdout, await stderr);
    }
}
