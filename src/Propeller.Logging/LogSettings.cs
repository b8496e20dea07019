using Propeller.Core.Configuration;
using Serilog.Events;

namespace Propeller.Logging;

/// <summary>
/// <c>MANAGER_LOG_LEVEL</c>/<c>PROPLET_LOG_LEVEL</c> and <c>…_LOG_FORMAT</c>. Levels take
/// upstream's words (<c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c>) and .NET's; the format is
/// <c>text</c> or <c>json</c>, and when unset, text on a terminal and JSON lines otherwise (a file, a pipe,
/// a container's log).
/// </summary>
public sealed record LogSettings(LogEventLevel Level, LogFormat Format)
{
    /// <param name="levelVariable">e.g. MANAGER_LOG_LEVEL (spelled out by the caller, so a search for the name finds its reader).</param>
    public static LogSettings From(Settings settings, string levelVariable, string formatVariable, bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (levelText, levelName) = settings.Find(levelVariable);
        var (formatText, formatName) = settings.Find(formatVariable);
        return new LogSettings(ParseLevel(levelText, levelName), ParseFormat(formatText, formatName, outputIsTerminal));
    }

    private static LogEventLevel ParseLevel(string? text, string name) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "info" or "information" => LogEventLevel.Information,
        "trace" or "verbose" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "warn" or "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        "critical" or "fatal" => LogEventLevel.Fatal,
        _ => throw new InvalidSettingException(name, text, "a log level: debug, info, warn or error"),
    };

    private static LogFormat ParseFormat(string? text, string name, bool outputIsTerminal) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => outputIsTerminal ? LogFormat.Text : LogFormat.Json,
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new InvalidSettingException(name, text, "a log format: text or json"),
    };
}
