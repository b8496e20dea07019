namespace Propeller.Wasm.Limits;

/// <summary>The module cannot run within the limits: it needs more memory than allowed, or it imports what the limits reserve.</summary>
public sealed class WasmLimitException(string message) : Exception(message);
