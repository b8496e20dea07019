using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Propeller.Mqtt.Tests.Support;

/// <summary>Keeps log entries for assertions and echoes them to the test output.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ITestOutputHelper? _output;
    private readonly string _prefix;

    public TestLogger(ITestOutputHelper? output = null, string? prefix = null)
    {
        _output = output;
        _prefix = prefix ?? typeof(T).Name;
    }

    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        Entries.Enqueue((logLevel, message));
        try
        {
            _output?.WriteLine($"[{_prefix} {logLevel}] {message}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; xunit refuses late output.
        }
    }

    public bool Contains(LogLevel level, string fragment) =>
        Entries.Any(e => e.Level == level && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));
}
