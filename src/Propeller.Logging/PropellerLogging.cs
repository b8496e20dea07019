using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Propeller.Logging;

/// <summary>
/// Sends the process's logging (Microsoft.Extensions.Logging) to Serilog on standard output: text for
/// a person, JSON lines for a collector (see <see cref="LogSettings"/>). Serilog.AspNetCore is not
/// obtainable, so Serilog joins through <c>AddSerilog</c>, which every host type has.
/// </summary>
public static class PropellerLogging
{
    private const string TextTemplate = "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}";

    /// <param name="properties">Fields added to every line (e.g. the proplet's <c>proplet_id</c>).</param>
    public static ILoggingBuilder AddPropellerLogging(this ILoggingBuilder logging, LogSettings settings, IReadOnlyDictionary<string, object?>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(settings);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(settings.Level)
            // ASP.NET Core logs every request at Information; the manager logs what matters itself.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        foreach (var (name, value) in properties ?? new Dictionary<string, object?>())
        {
            configuration = configuration.Enrich.WithProperty(name, value);
        }

        configuration = settings.Format == LogFormat.Json
            ? configuration.WriteTo.Console(new JsonLinesFormatter())
            : configuration.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture);

        // Serilog filters by level; Microsoft.Extensions.Logging must pass everything on to it.
        return logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddSerilog(configuration.CreateLogger(), dispose: true);
    }
}
