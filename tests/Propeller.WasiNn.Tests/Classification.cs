using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Propeller.Testing;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// The wasi-nn example of examples/wasi-nn: its guests (built by <c>make examples</c> into
/// build/examples/wasi-nn/) and its fixture (a real PaddleOCR classifier and two input tensors, written by
/// examples/wasi-nn/fixture.sh), plus what ONNX Runtime answers when called directly on the same input.
/// The integration tests compile this file too (linked), to check tasks' results the same way.
/// </summary>
internal static class Classification
{
    public static string FixtureDirectory => Repository.WasiNnFixture;

    public static string ModelPath => Required(Path.Combine(FixtureDirectory, "model.onnx"));

    public static byte[] Guest(string language) => Repository.WasiNnGuest($"classification-{language}");

    /// <summary>The model's output for a fixture tensor, from an <see cref="InferenceSession"/> of our own (no wasi-nn).</summary>
    public static float[] Direct(string tensorFile)
    {
        var input = File.ReadAllBytes(Required(Path.Combine(FixtureDirectory, tensorFile)));
        using var session = new InferenceSession(ModelPath);
        using var value = OrtValue.CreateTensorValueFromMemory(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(input).ToArray(), [1, 3, 48, 192]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, session.InputNames, [value], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The values of the guests' last line, <c>Output 0: N values: v0 v1 …</c>.</summary>
    /// <summary>Asserts that the guest's output values equal ONNX Runtime's own for <paramref name="tensorFile"/>, within 1e-5.</summary>
    public static void AssertSameAsDirect(string stdout, string tensorFile)
    {
        var expected = Direct(tensorFile);
        var actual = OutputValues(stdout);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5, $"{pair.Second} is not {pair.First} within 1e-5"));
    }

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
