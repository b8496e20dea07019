namespace Propeller.Wasm.Engine;

/// <summary>
/// Turns JavaScriptCore's wording of wasm failures into wasmtime's, which users of the seeds know
/// (and search for), keeping JavaScriptCore's text when there is no counterpart.
/// </summary>
internal static class JscErrors
{
    private static readonly (string Fragment, string Wasmtime)[] Traps =
    [
        ("Unreachable code should not be executed", "wasm trap: wasm `unreachable` instruction executed"),
        ("Out of bounds memory access", "wasm trap: out of bounds memory access"),
        ("Division by zero", "wasm trap: integer divide by zero"),
        ("Integer overflow", "wasm trap: integer overflow"),
        ("Out of bounds Trunc operation", "wasm trap: invalid conversion to integer"),
        ("Out of bounds call_indirect", "wasm trap: undefined element: out of bounds table access"),
        ("call_indirect to a null table entry", "wasm trap: uninitialized element"),
        ("call_indirect to a signature that does not match", "wasm trap: indirect call type mismatch"),
        ("Maximum call stack size exceeded", "wasm trap: call stack exhausted"),
        ("Out of memory", "wasm trap: out of memory"),
    ];

    public static WasmException Translate(string message)
    {
        foreach (var (fragment, wasmtime) in Traps)
        {
            if (message.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return new WasmTrapException(wasmtime);
            }
        }

        if (message.StartsWith("LinkError", StringComparison.Ordinal))
        {
            return new WasmLinkException(message);
        }

        if (message.StartsWith("CompileError", StringComparison.Ordinal))
        {
            return new WasmCompileException(message);
        }

        return new WasmTrapException($"wasm trap: {message}");
    }
}
