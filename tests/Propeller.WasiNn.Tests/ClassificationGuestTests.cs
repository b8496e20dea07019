using Propeller.Core.Commands;
using Propeller.Wasm;
using Propeller.Wasm.Commands;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// The example guests (C and Rust, built from examples/wasi-nn) on the embedded engine with wasi-nn,
/// against a real ONNX image classifier: what they compute must be what ONNX Runtime computes directly.
/// </summary>
public sealed class ClassificationGuestTests : IDisposable
{
    private readonly WasmEngine _engine = new(new WasmEngineOptions { Workers = 4 });
    private readonly GraphCatalog _catalog = GraphCatalog.WithBuiltInBackends();

    public void Dispose()
    {
        _engine.Dispose();
        _catalog.Dispose();
    }

    [Theory]
    [InlineData("c", "tensor.bin", 0)]
    [InlineData("c", "tensor-flipped.bin", 1)]
    [InlineData("rust", "tensor.bin", 0)]
    [InlineData("rust", "tensor-flipped.bin", 1)]
    public async Task A_guests_inference_equals_onnx_runtime_called_directly(string language, string tensor, int topClass)
    {
        var result = await RunAsync(language, ["-S", "nn"], "--tensor", $"fixture/{tensor}");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n');
        Assert.Equal("Read graph weights, size in bytes: 578966", lines[0]);
        Assert.Equal("Loaded graph into wasi-nn with ID: 0", lines[1]);
        Assert.Equal("Created wasi-nn execution context with ID: 0", lines[2]);
        Assert.Contains("Executed graph inference", lines);
        Assert.Contains(lines, l => l.StartsWith($"Found results, sorted top 5: [InferenceResult({topClass}, ", StringComparison.Ordinal));

        Classification.AssertSameAsDirect(result.Stdout, tensor);
    }

    [Fact]
    public async Task A_named_graph_is_loaded_once_and_shared_by_every_run()
    {
        var spec = new GraphSpec(GraphEncoding.Onnx, Classification.FixtureDirectory);
        var graph = _catalog.Load(spec);
        var nnGraph = $"nn-graph=onnx::{Classification.FixtureDirectory}";

        var first = await RunAsync("c", ["-S", nnGraph], "--graph", "fixture");
        var second = await RunAsync("rust", ["-S", nnGraph], "--graph", "fixture");

        Assert.Same(graph, _catalog.Load(spec));
        foreach (var result in new[] { first, second })
        {
            Assert.Equal(0, result.ExitCode);
            Assert.StartsWith("Loaded named graph: fixture\nLoaded graph into wasi-nn with ID: 0\n", result.Stdout);
            Classification.AssertSameAsDirect(result.Stdout, "tensor.bin");
        }
    }

    [Fact]
    public async Task Concurrent_runs_on_one_preloaded_graph_each_get_their_own_answer()
    {
        _catalog.Preload([new GraphSpec(GraphEncoding.Onnx, Classification.FixtureDirectory)]);
        var tensors = Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? "tensor.bin" : "tensor-flipped.bin").ToArray();

        var results = await Task.WhenAll(tensors.Select(t => RunAsync(t.Length % 2 == 0 ? "c" : "rust", ["-S", "nn"], "--graph", "fixture", "--tensor", $"fixture/{t}")));

        for (var i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(0, results[i].ExitCode);
            Classification.AssertSameAsDirect(results[i].Stdout, tensors[i]);
        }
    }

    [Fact]
    public async Task A_tensor_the_model_does_not_take_fails_with_what_the_model_wanted()
    {
        using var directory = new Propeller.Testing.TempDirectory();
        File.Copy(Classification.ModelPath, Path.Combine(directory.Path, "model.onnx"));
        File.WriteAllBytes(Path.Combine(directory.Path, "gray.bin"), new byte[48 * 192 * 4]);

        var result = await RunAsync("c", ["-S", "nn", $"--dir={directory.Path}::fixture"], "--tensor", "fixture/gray.bin", "--dims", "1x1x48x192");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("wasi-nn: set_input: input 0 ('x') takes f32 [?,3,?,?]; got f32 [1,1,48,192]", result.Stderr);
        Assert.Contains("errno 1 (invalid_argument)", result.Stderr);
    }

    [Fact]
    public async Task Without_dash_s_nn_the_guest_does_not_link_as_with_wasmtime()
    {
        var error = await Assert.ThrowsAsync<WasmLinkException>(() => RunAsync("c", []));
        Assert.Contains("unknown import: `wasi_ephemeral_nn::", error.Message);
    }

    [Fact]
    public async Task A_graph_directory_without_a_model_fails_before_the_guest_starts()
    {
        using var directory = new Propeller.Testing.TempDirectory();
        var error = await Assert.ThrowsAsync<WasmCommandLineException>(() => RunAsync("c", ["-S", $"nn-graph=onnx::{directory.Path}"]));
        Assert.Contains("model.onnx does not exist", error.Message);
        await Assert.ThrowsAsync<WasmCommandLineException>(() => RunAsync("c", ["-S", $"nn-graph=keras::{directory.Path}"]));
    }

    private Task<WasmCommandResult> RunAsync(string language, string[] runtimeArgs, params string[] guestArgs)
    {
        string[] dir = runtimeArgs.Any(a => a.StartsWith("--dir", StringComparison.Ordinal)) ? [] : [$"--dir={Classification.FixtureDirectory}::fixture"];
        var line = WasmCommandLine.Parse([.. runtimeArgs, .. dir], expectModule: false) with { Arguments = guestArgs };
        return new WasmCommandRunner(_engine).RunAsync(
            new WasmCommand(Classification.Guest(language), line) { HostModules = [new WasiNnProvider(_catalog)] },
            CancellationToken.None);
    }
}
