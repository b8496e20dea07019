using Propeller.Wasm.Limits;
using Propeller.Wasm.Tests.Tools;
using static Propeller.Wasm.Tests.Tools.ModuleBytes;

namespace Propeller.Wasm.Tests.Limits;

/// <summary>
/// Instrumented modules running in a real engine (Node's V8) whose refuel import counts its calls and,
/// like the host at its deadline, returns 0 after a number of them (the guest then traps).
/// </summary>
public sealed class FuelTests
{
    private static readonly ModuleLimits Fuel = new(MaxMemoryBytes: null, MeterFuel: true);

    private static byte[] FuelModule => Toolchain.Wat("fuel", "--enable-tail-call");

    [Theory]
    [InlineData("spin")]
    [InlineData("recurse")]
    [InlineData("tail_spin")]
    public void A_loop_or_recursion_that_never_ends_is_stopped_when_refuel_returns_zero(string export)
    {
        var instrumented = ModuleInstrumenter.Instrument(FuelModule, Fuel);

        var report = NodeRunner.Run(instrumented, new NodeRequest { Calls = [new ExportCall(export)], Fuel = 1000, RefuelLimit = 5 });

        Assert.Equal(new NodeError("fuel", "stopped after 5 refuels"), report.Error);
        Assert.Equal(6, report.Refuels);
    }

    [Fact]
    public void Unbounded_recursion_is_stopped_by_fuel_before_the_stack_overflows()
    {
        var original = NodeRunner.Run(FuelModule, new NodeRequest { Calls = [new ExportCall("recurse")] });
        var instrumented = NodeRunner.Run(ModuleInstrumenter.Instrument(FuelModule, Fuel), new NodeRequest { Calls = [new ExportCall("recurse")], Fuel = 100, RefuelLimit = 3 });

        Assert.Equal("stack-overflow", original.Error?.Kind);
        Assert.Equal("fuel", instrumented.Error?.Kind);
    }

    [Fact]
    public void Computations_return_the_same_values_instrumented_and_uninstrumented()
    {
        var request = new NodeRequest
        {
            Calls =
            [
                new ExportCall("sum", 100_000),
                new ExportCall("fib", 90),
                new ExportCall("fib_recursive", 20),
                new ExportCall("nested", 300),
            ],
            Fuel = 1000,
        };

        var original = NodeRunner.Run(FuelModule, request);
        var instrumented = NodeRunner.Run(ModuleInstrumenter.Instrument(FuelModule, Fuel), request);

        string[] expected = ["4999950000", "2880067194370816120", "6765", "90000"];
        Assert.Null(original.Error);
        Assert.Null(instrumented.Error);
        Assert.Equal(expected, original.Results.Select(r => r.ToString()));
        Assert.Equal(expected, instrumented.Results.Select(r => r.ToString()));
        Assert.Equal(0, original.Refuels);
        Assert.True(instrumented.Refuels > 1000, $"only {instrumented.Refuels} refuels");
    }

    [Fact]
    public void Each_loop_iteration_costs_the_instructions_of_the_loop_body()
    {
        // sum's loop body has 15 instructions (br_if … br, end): 100 001 iterations cost about 1.5 million,
        // which at 1000 fuel per refuel (each refuel sets the fuel, forgetting the overdraft) is about 1500 refuels.
        var instrumented = ModuleInstrumenter.Instrument(FuelModule, Fuel);

        var report = NodeRunner.Run(instrumented, new NodeRequest { Calls = [new ExportCall("sum", 100_000)], Fuel = 1000 });

        Assert.Equal("4999950000", report.Result(0));
        Assert.InRange(report.Refuels, 1400, 1600);
    }

    [Fact]
    public void Every_way_of_naming_a_function_still_reaches_the_right_function()
    {
        var original = Toolchain.Wat("indices", "--enable-tail-call");
        var request = new NodeRequest
        {
            Calls =
            [
                new ExportCall("ten"),
                new ExportCall("call_direct"),
                new ExportCall("call_table", 0),
                new ExportCall("call_table", 1),
                new ExportCall("call_table", 2),
                new ExportCall("call_table2", 0),
                new ExportCall("call_table2", 1),
                new ExportCall("via_global"),
                new ExportCall("via_ref_func"),
                new ExportCall("via_declared_expression"),
                new ExportCall("via_passive"),
                new ExportCall("via_passive_expression"),
                new ExportCall("tail_to_ten"),
                new ExportCall("log_through_import"),
            ],
        };
        string[] expected = ["10", "3", "1", "2", "4", "3", "5", "7", "9", "11", "6", "8", "10", ""];

        var before = NodeRunner.Run(original, request);
        var after = NodeRunner.Run(ModuleInstrumenter.Instrument(original, Fuel), request);

        Assert.Null(before.Error);
        Assert.Null(after.Error);
        Assert.Equal(expected, before.Results.Select(r => r.ToString()));
        Assert.Equal(expected, after.Results.Select(r => r.ToString()));
        // The start function logged 42 at instantiation, then the import was called through its own index.
        Assert.Equal([42, 5, 5], before.Log);
        Assert.Equal([42, 5, 5], after.Log);
        Assert.True(after.Refuels > 0);
    }

    [Fact]
    public void The_start_function_is_metered_too()
    {
        var instrumented = ModuleInstrumenter.Instrument(Toolchain.Wat("indices", "--enable-tail-call"), Fuel);

        var report = NodeRunner.Run(instrumented, new NodeRequest { RefuelLimit = 0 });

        Assert.Equal("fuel", report.Error?.Kind);
        Assert.Empty(report.Log);
    }

    [Theory]
    [InlineData("simd", new[] { "--enable-all" }, "dot|4", "shuffle_lanes|32")]
    [InlineData("exceptions", new[] { "--enable-exceptions" }, "caught|5", "delegated|9", "rethrown")]
    [InlineData("bulk-memory", new[] { "--enable-all" }, "truncate|3.75", "memory_ops|", "sign_extension|-129")]
    [InlineData("atomics", new[] { "--enable-threads" }, "counter|1000", "mixed")]
    public void Feature_modules_compute_the_same_results_instrumented(string name, string[] features, params string[] calls)
    {
        var original = Toolchain.Wat(name, features);
        var request = new NodeRequest { Calls = [.. calls.Select(Call)], Fuel = 50 };

        var before = NodeRunner.Run(original, request);
        var after = NodeRunner.Run(ModuleInstrumenter.Instrument(original, Fuel), request);

        Assert.Null(before.Error);
        Assert.Null(after.Error);
        Assert.Equal(calls.Length, after.Results.Count);
        Assert.Equal(before.Results.Select(r => r.ToString()), after.Results.Select(r => r.ToString()));
        Assert.True(after.Refuels > 0);
    }

    [Fact]
    public void Typed_function_reference_calls_reach_the_right_function_after_the_shift()
    {
        // call_ref and return_call_ref (final encodings, with a type index); Node 20 runs them behind a flag.
        byte[] module = Module(
            Section(1, Vector([0x60, 0x01, 0x7F, 0x01, 0x7F])),
            Section(3, Vector([0x00], [0x00], [0x00])),
            Section(7, Vector([.. Name("call_ref"), 0x00, 0x01], [.. Name("return_call_ref"), 0x00, 0x02])),
            Section(9, Vector([0x03, 0x00, .. Vector([0x00])])),
            Section(10, Vector(
                Body(0x20, 0x00, 0x41, 0x01, 0x6A), // local.get 0; i32.const 1; i32.add
                Body(0x20, 0x00, 0xD2, 0x00, 0x14, 0x00), // local.get 0; ref.func 0; call_ref 0
                Body(0x20, 0x00, 0xD2, 0x00, 0x15, 0x00)))); // local.get 0; ref.func 0; return_call_ref 0
        var request = new NodeRequest
        {
            Calls = [new ExportCall("call_ref", 41), new ExportCall("return_call_ref", 99)],
            NodeFlags = ["--experimental-wasm-typed-funcref"],
        };

        var report = NodeRunner.Run(ModuleInstrumenter.Instrument(module, Fuel), request);

        Assert.Null(report.Error);
        Assert.Equal(["42", "100"], report.Results.Select(r => r.ToString()));
        Assert.Equal(1, report.Refuels);
    }

    [Fact]
    public void A_c_guest_that_loops_forever_is_stopped()
    {
        var instrumented = ModuleInstrumenter.Instrument(Guests.Spin, Fuel);

        var report = NodeRunner.Run(instrumented, new NodeRequest { WasiArgs = [], Fuel = 10_000, RefuelLimit = 50 });

        Assert.Equal("spinning\n", report.Stdout);
        Assert.Equal("fuel", report.Error?.Kind);
        Assert.Equal(51, report.Refuels);
    }

    [Fact]
    public void A_c_guest_prints_the_same_output_instrumented()
    {
        var request = new NodeRequest { WasiArgs = ["20000"], Fuel = 10_000 };

        var before = NodeRunner.Run(Guests.Compute, request);
        var after = NodeRunner.Run(ModuleInstrumenter.Instrument(Guests.Compute, Fuel), request);

        Assert.Equal("primes below 20000: 2262 (sum 21171191)\n", before.Stdout);
        Assert.Equal(before.Stdout, after.Stdout);
        Assert.Equal(0, after.ExitCode);
        Assert.Null(after.Error);
        Assert.True(after.Refuels > 10, $"only {after.Refuels} refuels");
    }

    [Fact]
    public void A_rust_std_guest_prints_the_same_output_instrumented()
    {
        var request = new NodeRequest { WasiArgs = ["1000"], Fuel = 10_000 };

        var before = NodeRunner.Run(Guests.Rust, request);
        var after = NodeRunner.Run(ModuleInstrumenter.Instrument(Guests.Rust, Fuel), request);

        Assert.Equal("n=1000 total=332833500 buckets=97 words=w1,w2,w3\n", before.Stdout);
        Assert.Equal(before.Stdout, after.Stdout);
        Assert.Null(after.Error);
        Assert.True(after.Refuels > 0);
    }

    [Fact]
    public void A_rust_std_guest_is_stopped_mid_run()
    {
        var instrumented = ModuleInstrumenter.Instrument(Guests.Rust, Fuel);

        var report = NodeRunner.Run(instrumented, new NodeRequest { WasiArgs = ["100000000"], Fuel = 10_000, RefuelLimit = 20 });

        Assert.Equal("fuel", report.Error?.Kind);
        Assert.Equal("", report.Stdout);
    }

    /// <summary>"name|arg" calls an export with one argument (a number, or nothing when empty); "name" calls it without.</summary>
    private static ExportCall Call(string text)
    {
        var parts = text.Split('|');
        if (parts.Length == 1 || parts[1].Length == 0)
        {
            return new ExportCall(parts[0]);
        }

        return new ExportCall(parts[0], double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
