namespace Propeller.WasiNn;

/// <summary>
/// A named graph to preload, written as wasmtime writes it: <c>ENCODING::DIR</c> (<c>onnx::/models/cls</c>).
/// The graph's name is the directory's base name (<c>cls</c>); guests ask for it with <c>load_by_name</c>.
/// </summary>
public sealed record GraphSpec(GraphEncoding Encoding, string Directory)
{
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));

    public static GraphSpec Parse(string encoding, string directory)
    {
        if (!GraphEncodingNames.TryParse(encoding, out var parsed))
        {
            throw new FormatException($"unknown graph encoding `{encoding}` (onnx, openvino, tensorflow, pytorch, tensorflowlite)");
        }

        if (directory.Length == 0)
        {
            throw new FormatException($"`{encoding}::` names no directory");
        }

        return new GraphSpec(parsed, directory);
    }

    /// <summary>One <c>ENCODING::DIR</c>.</summary>
    public static GraphSpec Parse(string spec)
    {
        var separator = spec.IndexOf("::", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new FormatException($"`{spec}` is not ENCODING::DIRECTORY (for example onnx::/models/mobilenet)");
        }

        return Parse(spec[..separator], spec[(separator + 2)..]);
    }

    /// <summary>A list as <c>PROPLET_NN_GRAPHS</c> holds it: specs separated by commas, semicolons or new lines.</summary>
    public static IReadOnlyList<GraphSpec> ParseList(string? specs) =>
        string.IsNullOrWhiteSpace(specs)
            ? []
            : [.. specs.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    public override string ToString() => $"{GraphEncodingNames.Name(Encoding)}::{Directory}";
}
