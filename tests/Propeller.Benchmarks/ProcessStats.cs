using System.Diagnostics;
using System.Globalization;

namespace Propeller.Benchmarks;

/// <summary>What Linux says about a process in /proc: CPU time used, resident memory, open-file limit.</summary>
public static class ProcessStats
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadTicksPerSecond);

    /// <summary>User + system CPU time, including that of children it has waited for (a host runtime's processes).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces; fields 14–17 follow at fixed places after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(ticks / TicksPerSecond.Value);
    }

    /// <summary>Resident memory now (VmRSS), in bytes.</summary>
    public static long Rss(int pid) => StatusBytes(pid, "VmRSS:");

    /// <summary>The most resident memory the process has had (VmHWM), in bytes.</summary>
    public static long PeakRss(int pid) => StatusBytes(pid, "VmHWM:");

    /// <summary>The soft limit on open files ("Max open files" in /proc/&lt;pid&gt;/limits).</summary>
    public static long OpenFilesLimit(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
    }

    public static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):0} MB";

    private static long StatusBytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static double ReadTicksPerSecond()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return double.Parse(text, CultureInfo.InvariantCulture);
    }
}

/// <summary>Cores a set of processes kept busy, on average, between its creation and <see cref="CoresUsed"/>.</summary>
public sealed class CpuMeter
{
    private readonly IReadOnlyDictionary<int, TimeSpan> _before;
    private readonly long _started = Stopwatch.GetTimestamp();

    public CpuMeter(params IEnumerable<int> pids) => _before = pids.Distinct().ToDictionary(p => p, ProcessStats.CpuTime);

    /// <summary>CPU seconds per wall-clock second, summed over the processes (2.0 is two cores flat out).</summary>
    public double CoresUsed()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var cpu = _before.Sum(p => (ProcessStats.CpuTime(p.Key) - p.Value).TotalSeconds);
        return cpu / wall;
    }
}
