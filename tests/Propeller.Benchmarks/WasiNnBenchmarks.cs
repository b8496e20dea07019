using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Propeller.Core.Commands;
using Propeller.Testing;
using Propeller.Wasm;
using Propeller.Wasm.Commands;
using Propeller.WasiNn;

namespace Propeller.Benchmarks;

/// <summary>
/// wasi-nn's figures (issue 4), on the example's real model (PaddleOCR's text-direction classifier,
/// input 1×3×48×192 f32): inference from a guest through wasi-nn against the same session work done
/// directly in C#, warm and cold, and a task that loads its model against one using a preloaded graph.
/// </summary>
public static class WasiNnBenchmarks
{
    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        var fixture = Repository.WasiNnFixture;
        var model = Path.Combine(fixture, "model.onnx");
        var input = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(fixture, "tensor.bin"))).ToArray();
        var guest = File.ReadAllBytes(Path.Combine(Repository.BuildDirectory, "examples", "wasi-nn", "classification-c.wasm"));

        // Direct: what the host does per inference, without a guest: copy the input into the session's
        // input tensor, run, copy the output out (one copy each way, as wasi-nn does).
        using (var session = new InferenceSession(model))
        using (var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 3, 48, 192]))
        using (var runOptions = new RunOptions())
        {
            var output = new float[2];
            Task DirectInference()
            {
                MemoryMarshal.AsBytes(input.AsSpan()).CopyTo(value.GetTensorMutableRawData());
                using var outputs = session.Run(runOptions, session.InputNames, [value], session.OutputNames);
                outputs[0].GetTensorDataAsSpan<float>().CopyTo(output);
                return Task.CompletedTask;
            }

            // Through wasi-nn: the guest repeats set_input + compute + get_output; the difference between
            // 101 and 1 repetitions, per repetition, is one warm inference (start-up and file reads cancel out).
            using var engine = new WasmEngine(new WasmEngineOptions { Workers = 1 });
            using var catalog = GraphCatalog.WithBuiltInBackends();
            catalog.Preload([new GraphSpec(GraphEncoding.Onnx, fixture)]);
            var runner = new WasmCommandRunner(engine);
            WasmCommand Command(params string[] args) => new(guest, WasmCommandLine.Parse(["-S", "nn", $"--dir={fixture}::fixture"], expectModule: false) with { Arguments = args })
            {
                HostModules = [new WasiNnProvider(catalog)],
            };

            // This machine is shared and its speed drifts by tens of percent within a minute, so the two
            // are measured in alternating rounds and compared round by round; the median ratio is reported.
            const int repetitions = 100;
            var rounds = settings.Pick(3, 9);
            var directs = new List<double>();
            var throughNn = new List<double>();
            var ratios = new List<double>();
            Timing once = default;
            for (var round = 0; round < rounds; round++)
            {
                var direct = await Measure.RepeatAsync(round == 0 ? 200 : 20, 150, DirectInference);
                once = await Measure.RepeatAsync(2, 9, () => runner.RunAsync(Command("--graph", "fixture"), CancellationToken.None));
                var many = await Measure.RepeatAsync(1, 9, () => runner.RunAsync(Command("--graph", "fixture", "--repeat", $"{repetitions + 1}"), CancellationToken.None));
                var perInference = (many.Median - once.Median) / repetitions;
                directs.Add(direct.Median);
                throughNn.Add(perInference);
                ratios.Add(perInference / direct.Median);
            }

            report.Add("inference, ONNX Runtime called directly from C# (copy in, run, copy out), warm", $"median {Timing.Format(Median(directs))}", $"{rounds} rounds of 150");
            report.Add("inference through wasi-nn from a C guest (set_input + compute + get_output), warm", $"median {Timing.Format(Median(throughNn))}",
                $"ratio to direct, median of {rounds} rounds: {Median(ratios):0.00} (range {ratios.Min():0.00}–{ratios.Max():0.00}; goal ≤ 1.05)");

            // Cold: a session made and run once, directly; and whole tasks on the embedded engine.
            var coldDirect = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 15), () =>
            {
                using var fresh = new InferenceSession(model);
                using var outputs = fresh.Run(runOptions, fresh.InputNames, [value], fresh.OutputNames);
                return Task.CompletedTask;
            });
            report.Add("cold, direct: new InferenceSession + first run", coldDirect.ToString());

            // A task that loads its own model: wasi-nn sessions live as long as the instance, so each such task pays the load.
            var perTaskLoad = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 15), () => runner.RunAsync(Command(), CancellationToken.None));
            once = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 15), () => runner.RunAsync(Command("--graph", "fixture"), CancellationToken.None));
            report.Add("task that loads the model itself (read file + load + compute), whole embedded run", perTaskLoad.ToString());
            report.Add("task using the preloaded named graph (load_by_name + compute), whole embedded run", once.ToString(),
                $"{perTaskLoad.Median / once.Median:0.0}× faster than loading per task");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
