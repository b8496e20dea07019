using System.Text.Json;
using Propeller.Core.Configuration;
using Propeller.Logging;
using Serilog;
using Serilog.Events;

namespace Propeller.Core.Tests.Logging;

/// <summary>A log collector reads one JSON object per line, whatever the logged values hold.</summary>
public sealed class JsonLinesFormatterTests
{
    [Fact]
    public void Hostile_values_stay_on_one_line_and_come_back_as_written()
    {
        const string hostile = "line one\nline \"two\"\t\\ end, é, \u0001";

        var line = Assert.Single(Format(log => log.Information("Task {task_id} failed: {error} {msg}", "3fc0a69a", hostile, "m")));

        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal($"Task 3fc0a69a failed: {hostile} m", json.GetProperty("msg").GetString());
        Assert.Equal("m", json.GetProperty("msg_").GetString());
        Assert.Equal(hostile, json.GetProperty("error").GetString());
        Assert.Equal("3fc0a69a", json.GetProperty("task_id").GetString());
        Assert.Equal("WARN", JsonDocument.Parse(Assert.Single(Format(log => log.Warning("w"))))!.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public void Numbers_stay_numbers_and_exceptions_go_to_exception()
    {
        var lines = Format(log => log.Error(new InvalidOperationException("boom"), "Task completed {task_id} exit_code={exit_code}", "t1", 7));

        var json = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("Task completed t1 exit_code=7", json.GetProperty("msg").GetString());
        Assert.Equal(7, json.GetProperty("exit_code").GetInt32());
        Assert.Equal("ERROR", json.GetProperty("level").GetString());
        Assert.StartsWith("System.InvalidOperationException: boom", json.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, true, LogEventLevel.Information, LogFormat.Text)]
    [InlineData(null, null, false, LogEventLevel.Information, LogFormat.Json)]
    [InlineData("debug", "text", false, LogEventLevel.Debug, LogFormat.Text)]
    [InlineData("WARN", "json", true, LogEventLevel.Warning, LogFormat.Json)]
    [InlineData("Information", "", true, LogEventLevel.Information, LogFormat.Text)]
    public void Settings_take_upstream_and_dotnet_level_names(string? level, string? format, bool terminal, LogEventLevel expectedLevel, LogFormat expectedFormat)
    {
        var settings = new Settings(name => name switch { "PROPLET_LOG_LEVEL" => level, "PROPLET_LOG_FORMAT" => format, _ => null });

        Assert.Equal(new LogSettings(expectedLevel, expectedFormat), LogSettings.From(settings, "PROPLET_LOG_LEVEL", "PROPLET_LOG_FORMAT", terminal));
    }

    private static string[] Format(Action<ILogger> write)
    {
        using var output = new StringWriter();
        using (var logger = new LoggerConfiguration().WriteTo.Sink(new FormattedSink(output)).CreateLogger())
        {
            write(logger);
        }

        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>What the console sink does with the formatter, into a string.</summary>
    private sealed class FormattedSink(TextWriter output) : Serilog.Core.ILogEventSink
    {
        private readonly JsonLinesFormatter _formatter = new();

        public void Emit(LogEvent logEvent) => _formatter.Format(logEvent, output);
    }
}
