using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Propeller.Testing;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// The wasi-nn example of examples/wasi-nn: its guests (built by <c>make examples</c> into
/// build/examples/wasi-nn/) and its fixture (a real PaddleOCR classifier and two input tensors, written by
/// examples/wasi-nn/fixture.sh), plus what ONNX Runtime answers when called directly on the same input.
/// </summary>
internal static class Classification
{
    public static string FixtureDirectory => Path.Combine(Repository.Root, "examples", "wasi-nn", "fixture");

    public static string ModelPath => Required(Path.Combine(FixtureDirectory, "model.onnx"));

    public static byte[] Guest(string language) =>
        File.ReadAllBytes(Required(Path.Combine(Repository.Root, "build", "examples", "wasi-nn", $"classification-{language}.wasm")));

    /// <summary>The model's output for a fixture tensor, from an <see cref="InferenceSession"/> of our own (no wasi-nn).</summary>
    public static float[] Direct(string tensorFile)
    {
        var input = File.ReadAllBytes(Required(Path.Combine(FixtureDirectory, tensorFile)));
        using var session = new InferenceSession(ModelPath);
        using var value = OrtValue.CreateTensorValueFromMemory(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(input).ToArray(), [1, 3, 48, 192]);
        using var outputs = session.Run(new RunOptions(), session.InputNames, [value], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The values of the guests' last line, <c>Output 0: N values: v0 v1 …</c>.</summary>
    public static float[] OutputValues(string stdout)
    {
        var line = stdout.Split('\n').Single(l => l.StartsWith("Output 0: ", StringComparison.Ordinal));
        var values = line[(line.IndexOf(':', 10) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. values.Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
    }

    private static string Required(string path) => File.Exists(path)
        ? path
        : throw new FileNotFoundException($"{path} is missing: run `make examples` (it builds the wasi-nn guests and writes their fixture)");
}
