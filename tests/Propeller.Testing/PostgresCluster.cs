using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Propeller.Testing;

/// <summary>
/// A private PostgreSQL server (Debian's <c>postgresql</c> package) for tests: its own data directory under
/// /tmp, a free loopback port, trust authentication for the user <c>propeller</c>, no fsync. Disposing stops
/// it at once and deletes its files. As root it runs as the <c>postgres</c> OS user, since PostgreSQL refuses root.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string User = "propeller";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _directory;
    private bool _started;

    private PostgresCluster(string bin, string directory)
    {
        _bin = bin;
        _directory = directory;
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "server.log");

    // PostgreSQL will not run as root; root can hand the work to the postgres user the package creates.
    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>Creates the cluster and starts the server; ready for connections when this returns.</summary>
    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinaries();
        // /tmp rather than $TMPDIR: the postgres user has to reach the directory, and /tmp is open to everyone.
        var directory = Path.Combine(AsRoot ? "/tmp" : Path.GetTempPath(), $"propeller-postgres-{Guid.NewGuid():N}");
        var cluster = new PostgresCluster(bin, directory);
        try
        {
            await cluster.InitializeAsync();
            await cluster.StartServerAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database; returns its Npgsql connection string. One per test keeps tests apart.</summary>
    public async Task<string> CreateDatabaseAsync() =>
        $"Host={Host};Port={Port};Username={User};Database={await CreateDatabaseNamedAsync()}";

    /// <summary>A new empty database, as a URL of the form MANAGER_POSTGRES_URL takes.</summary>
    public async Task<string> CreateDatabaseUrlAsync() =>
        $"postgres://{User}@{Host}:{Port}/{await CreateDatabaseNamedAsync()}";

    private async Task<string> CreateDatabaseNamedAsync()
    {
        var name = $"test_{Guid.NewGuid():N}";
        await RunAsync(Path.Combine(_bin, "createdb"), asPostgres: false, "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, name);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            _started = false;
            // Immediate: the data is thrown away anyway, so there is no reason to wait for a checkpoint.
            await RunAsync(Path.Combine(_bin, "pg_ctl"), asPostgres: true, "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        File.SetUnixFileMode(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (AsRoot)
        {
            await RunAsync("chown", asPostgres: false, "-R", "postgres:postgres", _directory);
        }

        await RunAsync(Path.Combine(_bin, "initdb"), asPostgres: true, "-D", DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync");
    }

    private async Task StartServerAsync()
    {
        // FreePort's port may be taken by someone else before the server binds it; a second port then does.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Get();
            var options = $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off";
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), asPostgres: true, "-D", DataDirectory, "-o", options, "-l", LogFile, "-w", "start");
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Runs a PostgreSQL program to its end; fails with its output and the server's log when it fails.</summary>
    private async Task RunAsync(string executable, bool asPostgres, params string[] arguments)
    {
        var start = new ProcessStartInfo(asPostgres && AsRoot ? "runuser" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A directory the postgres user may enter (the test's working directory may not be one).
            WorkingDirectory = Directory.Exists(_directory) ? _directory : "/",
        };
        if (asPostgres && AsRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", executable })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s. Output:\n{Text(output)}{ServerLog()}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} exited with {process.ExitCode}. Output:\n{Text(output)}{ServerLog()}");
        }
    }

    private string ServerLog() => File.Exists(LogFile) ? $"\nServer log:\n{File.ReadAllText(LogFile)}" : "";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Debian's newest /usr/lib/postgresql/N/bin, or the directory of initdb on PATH.</summary>
    private static string FindBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .OrderByDescending(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return debian ?? onPath ?? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql");
    }
}
