namespace Propeller.Core.Tasks;

/// <summary>Recognises a WebAssembly binary by its preamble: <c>\0asm</c> and version 1.</summary>
public static class WasmModule
{
    private static ReadOnlySpan<byte> Preamble => [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static bool HasPreamble(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Preamble);

    /// <summary>Null when <paramref name="bytes"/> look like a module, else why not, in words for the user.</summary>
    public static string? Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "the file is empty";
        }

        if (HasPreamble(bytes))
        {
            return null;
        }

        if (bytes.Length >= 4 && bytes[..4].SequenceEqual(Preamble[..4]))
        {
            return bytes.Length < 8
                ? "the file is cut short after the \\0asm magic"
                : $"the module's version is {BitConverter.ToUInt32(bytes[4..8])}; only version 1 modules (wasm32 core) are supported; a component (version 0x1000d) must be a core module";
        }

        return "the file is not a WebAssembly module (it does not start with \\0asm and version 1); upload the compiled .wasm, not its source or a base64 text";
    }
}
