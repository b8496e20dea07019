using System.Diagnostics;
using System.Text;
using Propeller.Testing;

namespace Propeller.Cli.Tests;

/// <summary>What one run of propeller-cli did.</summary>
public sealed record CliResult(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The stderr lines, without the trailing empty one.</summary>
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>For assertion messages: the command and everything it printed.</summary>
    public override string ToString() =>
        $"propeller-cli {string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a))}\n" +
        $"exit code: {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// propeller-cli as its own process: the build that sits next to this test assembly (the test project
/// references the CLI project, so it is always the code under test), else build/propeller-cli from
/// <c>make all</c>. The environment holds only PROPELLER_MANAGER_URL of the variables the CLI reads.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pumps;

    private CliProcess(Process process, IReadOnlyList<string> arguments)
    {
        _process = process;
        Arguments = arguments;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    public IReadOnlyList<string> Arguments { get; }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The executable and the arguments that come before the CLI's own.</summary>
    public static (string FileName, string[] Prefix) Executable { get; } = Locate();

    /// <param name="managerUrl">PROPELLER_MANAGER_URL; null leaves it unset (the CLI then uses its default).</param>
    public static CliProcess Start(Uri? managerUrl, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var (fileName, prefix) = Executable;
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PROPELLER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["PROPELLER_CONFIG_FILE"] = Repository.EmptyConfigFile;
        if (managerUrl is not null)
        {
            start.Environment["PROPELLER_MANAGER_URL"] = managerUrl.ToString();
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        return new CliProcess(process, arguments);
    }

    public static async Task<CliResult> RunAsync(Uri? managerUrl, params string[] arguments)
    {
        await using var cli = Start(managerUrl, arguments);
        return await cli.WaitForExitAsync();
    }

    /// <summary>Waits for the exit; a CLI that hangs is killed and the test fails with what it printed.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"propeller-cli did not exit within {(timeout ?? DefaultTimeout).TotalSeconds} s:\n{Snapshot(-1)}");
        }

        await _pumps;
        return Snapshot(_process.ExitCode);
    }

    /// <summary>Waits until stderr contains <paramref name="text"/>.</summary>
    public Task WaitForStderrAsync(string text, TimeSpan? timeout = null) => WaitForAsync("stderr", () => Stderr, text, timeout);

    /// <summary>Waits until stdout contains <paramref name="text"/>.</summary>
    public Task WaitForStdoutAsync(string text, TimeSpan? timeout = null) => WaitForAsync("stdout", () => Stdout, text, timeout);

    private async Task WaitForAsync(string stream, Func<string> read, string text, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!read().Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                await Task.Delay(100);
                throw new TimeoutException($"propeller-cli did not print '{text}' on {stream}{(_process.HasExited ? " before it exited" : "")}:\n{Snapshot(_process.HasExited ? _process.ExitCode : -1)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends a signal by name (TERM, INT) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private CliResult Snapshot(int exitCode)
    {
        string stdout;
        lock (_stdout)
        {
            stdout = _stdout.ToString();
        }

        return new CliResult(Arguments, exitCode, stdout, Stderr);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }

    private static (string, string[]) Locate()
    {
        var here = AppContext.BaseDirectory;
        var apphost = Path.Combine(here, "propeller-cli");
        if (File.Exists(apphost))
        {
            return (apphost, []);
        }

        var dll = Path.Combine(here, "propeller-cli.dll");
        if (File.Exists(dll))
        {
            return (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet", [dll]);
        }

        return (Repository.Executable("propeller-cli"), []);
    }
}
