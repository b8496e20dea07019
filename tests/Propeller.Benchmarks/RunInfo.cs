using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Propeller.Testing;

namespace Propeller.Benchmarks;

/// <summary>Where and at what a run's figures were taken: the commit (+dirty when the tree has changes), the date, the machine.</summary>
public sealed record RunInfo(string Commit, DateTime Date, string Machine, bool Quick)
{
    public static RunInfo Collect(bool quick)
    {
        var commit = Git("rev-parse", "--short", "HEAD") ?? "unknown commit";
        var dirty = Git("status", "--porcelain") is { Length: > 0 };
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        var machine = $"{Environment.ProcessorCount} cores{(cpu is null ? "" : $" ({cpu})")}, {os ?? RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
        return new RunInfo(dirty ? commit + "+dirty" : commit, DateTime.UtcNow, machine, quick);
    }

    /// <summary>The line above each generated table: commit, date, machine, mode and how long the group took.</summary>
    public string Caption(TimeSpan took) =>
        $"Commit `{Commit}`, {Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, {Machine}; " +
        $"`make bench{(Quick ? " QUICK=1" : "")}`, this group took {took.TotalSeconds:0} s.";

    private static string? Git(params string[] arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git: the figures say "unknown commit"
        }
    }
}
