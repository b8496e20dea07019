namespace Propeller.Wasm.Binary;

/// <summary>
/// The bytes are not a WebAssembly module this project can read: truncated, malformed, or using a
/// feature it refuses (GC, memory64). The message says what is wrong and at which byte offset.
/// </summary>
public sealed class WasmFormatException : Exception
{
    public WasmFormatException(string message)
        : base(message)
    {
    }

    public WasmFormatException(string message, long offset)
        : base($"{message} at byte offset {offset}")
    {
        Offset = offset;
    }

    /// <summary>Where in the module the problem was found, when it is known.</summary>
    public long? Offset { get; }
}
