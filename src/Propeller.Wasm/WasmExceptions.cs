namespace Propeller.Wasm;

/// <summary>Why a wasm run did not end normally. Every message is fit to show a user as a task's error.</summary>
public abstract class WasmException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The engine cannot run here (JavaScriptCore is not installed); the message says what to install.</summary>
public sealed class WasmEngineUnavailableException(string message) : WasmException(message);

/// <summary>The bytes are not a module the engine accepts (malformed, or uses a feature it refuses).</summary>
public sealed class WasmCompileException(string message, Exception? inner = null) : WasmException(message, inner);

/// <summary>The module cannot be linked: an import nobody provides, an import of the wrong type, a missing export.</summary>
public sealed class WasmLinkException(string message) : WasmException(message);

/// <summary>The guest trapped (unreachable, out-of-bounds access, division by zero, stack exhausted, a host function failed).</summary>
public sealed class WasmTrapException(string message, Exception? inner = null) : WasmException(message, inner);

/// <summary>The run was stopped because it passed its deadline.</summary>
public sealed class WasmDeadlineExceededException(TimeSpan timeout) : WasmException(Describe(timeout))
{
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>The words every runtime uses for a run stopped at its deadline: "deadline exceeded after 30 s".</summary>
    public static string Describe(TimeSpan timeout) => $"deadline exceeded after {FormatSeconds(timeout)} s";

    private static string FormatSeconds(TimeSpan timeout) =>
        timeout.TotalSeconds.ToString(timeout.Ticks % TimeSpan.TicksPerSecond == 0 ? "0" : "0.###", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The module asks for more than the run's limits allow (e.g. more initial memory than the cap).</summary>
public sealed class WasmResourceLimitException(string message, Exception? inner = null) : WasmException(message, inner);
