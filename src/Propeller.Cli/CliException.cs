namespace Propeller.Cli;

/// <summary>A failure the CLI explains itself (a missing local file, a task that failed): one line on stderr, then the exit code.</summary>
public sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException(string message, int exitCode, string? hint = null)
        : base(message)
    {
        ExitCode = exitCode;
        Hint = hint;
    }

    public int ExitCode { get; } = ExitCodes.Failure;

    /// <summary>A second line telling what to do, or null.</summary>
    public string? Hint { get; }
}

/// <summary>What propeller-cli exits with.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The manager refused, could not be reached, a local file is missing, or the task failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong (unknown option, missing argument, bad value).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C (SIGINT), as shells report it.</summary>
    public const int Cancelled = 130;
}
