using System.Runtime.InteropServices;
using Propeller.WasiNn.Backends.Onnx;
using Propeller.Testing;

namespace Propeller.WasiNn.Tests;

/// <summary>The ONNX backend behind the ABI: one session per graph, shared safely, and graph specs as users write them.</summary>
public sealed class OnnxBackendTests
{
    [Fact]
    public void Many_threads_computing_on_one_shared_graph_each_get_their_own_result()
    {
        using var graph = new OnnxBackend().Load([OnnxModels.Softmax()], ExecutionTarget.Cpu);
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            using var context = graph.CreateExecutionContext();
            for (var round = 0; round < 200; round++)
            {
                // Each thread's input differs in size and values, so a mixed-up output cannot pass.
                var input = Enumerable.Range(0, 2 + thread).Select(i => (float)(i * (thread + 1) + round % 7)).ToArray();
                context.SetInput(0, new TensorInput(TensorType.F32, [1, (uint)input.Length], MemoryMarshal.AsBytes(input.AsSpan())));
                context.Compute();
                var output = MemoryMarshal.Cast<byte, float>(context.GetOutput(0)).ToArray();
                var sum = input.Sum(v => Math.Exp(v));
                if (output.Length != input.Length || input.Where((v, i) => Math.Abs(Math.Exp(v) / sum - output[i]) > 1e-6).Any())
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void A_catalog_loads_a_directory_once_and_again_when_its_model_changes()
    {
        using var directory = new TempDirectory();
        var model = Path.Combine(directory.Path, "model.onnx");
        File.WriteAllBytes(model, OnnxModels.Identity(OnnxModels.Float, 1, 4));
        using var catalog = GraphCatalog.WithBuiltInBackends();
        var spec = GraphSpec.Parse($"onnx::{directory.Path}");

        var first = catalog.Load(spec);
        Assert.Same(first, catalog.Load(spec));

        File.WriteAllBytes(model, OnnxModels.Identity(OnnxModels.Float, 1, 8));
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddMinutes(1));
        Assert.NotSame(first, catalog.Load(spec));
    }

    [Fact]
    public void Openvino_graph_directories_are_refused_with_the_way_out()
    {
        using var directory = new TempDirectory();
        using var catalog = GraphCatalog.WithBuiltInBackends();
        var error = Assert.Throws<WasiNnException>(() => catalog.Load(GraphSpec.Parse($"openvino::{directory.Path}")));
        Assert.Equal(NnErrno.UnsupportedOperation, error.Errno);
        Assert.Contains("docs/wasi-nn.md", error.Message);
    }

    [Fact]
    public void Graph_specs_read_as_wasmtime_and_proplet_config_write_them()
    {
        var spec = GraphSpec.Parse("onnx::/models/mobilenet/");
        Assert.Equal(GraphEncoding.Onnx, spec.Encoding);
        Assert.Equal("mobilenet", spec.Name);

        var list = GraphSpec.ParseList(" onnx::/a/cls , openvino::/b/det;onnx::/c/rec\n");
        Assert.Equal(["cls", "det", "rec"], list.Select(s => s.Name));
        Assert.Empty(GraphSpec.ParseList(null));

        Assert.Contains("ENCODING::DIRECTORY", Assert.Throws<FormatException>(() => GraphSpec.Parse("/models/cls")).Message);
        Assert.Contains("unknown graph encoding `keras`", Assert.Throws<FormatException>(() => GraphSpec.Parse("keras::/m")).Message);
        Assert.Contains("names no directory", Assert.Throws<FormatException>(() => GraphSpec.Parse("onnx::")).Message);
    }
}
