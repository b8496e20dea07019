using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Propeller.Logging;

/// <summary>
/// One JSON object per event, shaped like upstream's Go logs (log/slog's JSON handler):
/// <c>{"time":…,"level":"INFO","msg":…,"task_id":…,"source":…}</c>. The message is rendered with its
/// values as written (no quotes around strings), and each of the event's properties follows as a field
/// of its own, so <c>jq 'select(.task_id == "…")'</c> finds every line about a task.
/// </summary>
public sealed class JsonLinesFormatter : ITextFormatter
{
    /// <summary>Fields this formatter writes itself; an event property with one of these names is written with a trailing underscore.</summary>
    private static readonly HashSet<string> Reserved = ["time", "level", "msg", "source", "exception"];

    private readonly JsonValueFormatter _values = new(typeTagName: null);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        output.Write("{\"time\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        output.Write("\",\"level\":\"");
        output.Write(LevelName(logEvent.Level));
        output.Write("\",\"msg\":");
        JsonValueFormatter.WriteQuotedJsonString(RenderLiterally(logEvent), output);
        foreach (var (name, value) in logEvent.Properties)
        {
            output.Write(',');
            var field = name == "SourceContext" ? "source" : Reserved.Contains(name) ? name + "_" : name;
            JsonValueFormatter.WriteQuotedJsonString(field, output);
            output.Write(':');
            _values.Format(value, output);
        }

        if (logEvent.Exception is { } exception)
        {
            // Not "error": that is the field task events use for a task's error text ({error} in their templates).
            output.Write(",\"exception\":");
            JsonValueFormatter.WriteQuotedJsonString(exception.ToString(), output);
        }

        output.Write('}');
        output.Write('\n');
    }

    /// <summary>slog's level names, so one log query works for upstream's and our processes.</summary>
    private static string LevelName(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "TRACE",
        LogEventLevel.Debug => "DEBUG",
        LogEventLevel.Information => "INFO",
        LogEventLevel.Warning => "WARN",
        LogEventLevel.Error => "ERROR",
        _ => "FATAL",
    };

    /// <summary>The message with string values as they are: "Task completed 3fc0… exit_code=0", not "Task completed \"3fc0…\"".</summary>
    private static string RenderLiterally(LogEvent logEvent)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case PropertyToken property when logEvent.Properties.TryGetValue(property.PropertyName, out var value):
                    if (value is ScalarValue { Value: string literal })
                    {
                        text.Write(literal);
                    }
                    else
                    {
                        value.Render(text, property.Format, CultureInfo.InvariantCulture);
                    }

                    break;
                default:
                    token.Render(logEvent.Properties, text, CultureInfo.InvariantCulture);
                    break;
            }
        }

        return text.ToString();
    }
}
