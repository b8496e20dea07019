using System.Diagnostics;
using Propeller.Core.Commands;
using Propeller.Testing;
using Propeller.Wasm;
using Propeller.Wasm.Commands;
using Propeller.Wasm.Wasi;

namespace Propeller.Benchmarks;

/// <summary>The embedded runtime's figures (issue 3): start-up cost, host calls, metering, deadlines, embedded vs spawned.</summary>
public static class EmbeddedRuntimeBenchmarks
{
    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        using var engine = new WasmEngine(new WasmEngineOptions { Workers = 1 });
        var runner = new WasmCommandRunner(engine);
        var greet = Repository.Guest("greet");
        var hello = new WasmCommand(greet, WasmCommandLine.Parse(["x.wasm", "bench"], expectModule: true));

        // Cold: bytes never seen before (a fresh custom section makes a new SHA-256), so read,
        // instrument, compile, instantiate and run. Warm: the same bytes again.
        var unique = 0;
        var cold = await Measure.RepeatAsync(settings.Pick(1, 3), settings.Pick(10, 30), () =>
            runner.RunAsync(hello with { Module = WithCustomSection(greet, $"cold-{unique++}") }, CancellationToken.None));
        var warm = await Measure.RepeatAsync(settings.Pick(20, 50), settings.Pick(200, 500), () => runner.RunAsync(hello, CancellationToken.None));
        report.Add("hello command, cold (instrument + compile + instantiate + run)", cold.ToString());
        report.Add("hello command, warm (cached module: instantiate + run)", warm.ToString(), "goal: median < 1 ms");

        // Host-call round trip: loop_calls(n) makes n calls; the difference between n and 0 calls, per call.
        var hostCalls = Repository.Guest("host-calls");
        HostFunction[] imports =
        [
            new("test", "twice", [WasmValueType.I64], [WasmValueType.I64], (_, a) => WasmValue.FromInt64(a[0].AsInt64() * 2)),
            new("test", "fill", [WasmValueType.I32, WasmValueType.I32], [WasmValueType.I32], (_, _) => WasmValue.FromInt32(0)),
            new("test", "fail", [], [], (_, _) => default),
        ];
        const int calls = 100_000;
        var none = await Measure.RepeatAsync(settings.Pick(1, 3), settings.Pick(7, 15), () => engine.RunAsync(new WasmInvocation(hostCalls) { Imports = imports, Function = "loop_calls", Arguments = [WasmValue.FromInt32(0)] }));
        var many = await Measure.RepeatAsync(settings.Pick(1, 3), settings.Pick(7, 15), () => engine.RunAsync(new WasmInvocation(hostCalls) { Imports = imports, Function = "loop_calls", Arguments = [WasmValue.FromInt32(calls)] }));
        report.Add("host call round trip (wasm → C# → wasm, i64 argument and result)", Timing.Format((many.Median - none.Median) / calls));

        // Metering's cost: the same compute-bound exports with and without fuel instrumentation.
        await CompareMeteringAsync(report, settings, engine, "crunch (C sieve + hash, 5 rounds)", Repository.Guest("crunch"), "crunch", [WasmValue.FromInt32(5)]);
        await CompareMeteringAsync(report, settings, engine, "sum_squares (tight i64 loop, 10⁸ iterations)", Repository.Guest("spin"), "sum_squares", [WasmValue.FromInt64(100_000_000)]);

        // How late an endless loop stops after its deadline.
        var spin = Repository.Guest("spin");
        var overshoot = await Measure.RepeatAsync(settings.Pick(0, 1), settings.Pick(3, 5), async () =>
        {
            try
            {
                await engine.RunAsync(new WasmInvocation(spin) { Function = "forever", Timeout = TimeSpan.FromSeconds(1) });
            }
            catch (WasmDeadlineExceededException)
            {
            }
        });
        report.Add("endless loop, 1 s deadline: time until the run ends", overshoot.ToString(), "goal: ≤ deadline + 100 ms");

        // Per-task overhead: embedded (warm) vs spawning propeller-wasm as the host runtime does.
        var wasmCli = Repository.Executable("propeller-wasm");
        var modulePath = Path.Combine(Path.GetTempPath(), $"bench-greet-{Environment.ProcessId}.wasm");
        await File.WriteAllBytesAsync(modulePath, greet);
        try
        {
            var spawned = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 15), () => SpawnAsync(wasmCli, modulePath));
            report.Add("hello task, host runtime (spawn propeller-wasm)", spawned.ToString());
            report.Add("hello task, embedded vs spawned", $"{spawned.Median / warm.Median:0}× less time embedded");
        }
        finally
        {
            File.Delete(modulePath);
        }
    }

    private static async Task CompareMeteringAsync(Report report, BenchSettings settings, WasmEngine engine, string label, byte[] module, string function, WasmValue[] arguments)
    {
        // crunch is a C command: it imports WASI even though the export measured calls none of it.
        using var wasi = new WasiPreview1(new WasiOptions());
        var invocation = new WasmInvocation(module) { Function = function, Arguments = arguments, Imports = wasi.Functions };
        var metered = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 9), () => engine.RunAsync(invocation));
        var plain = await Measure.RepeatAsync(settings.Pick(1, 2), settings.Pick(5, 9), () => engine.RunAsync(invocation with { Metered = false }));
        report.Add($"metering cost: {label}", $"{metered.Median / plain.Median:0.00}× ({Timing.Format(metered.Median)} vs {Timing.Format(plain.Median)})", "goal: ≤ 1.3×");
    }

    private static async Task SpawnAsync(string executable, string module)
    {
        using var process = Process.Start(new ProcessStartInfo(executable, ["run", module, "bench"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"propeller-wasm exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }
    }

    private static byte[] WithCustomSection(byte[] module, string name) =>
        [.. module, 0, (byte)(name.Length + 1), (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name)];
}
