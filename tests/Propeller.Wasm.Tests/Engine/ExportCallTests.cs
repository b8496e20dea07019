using Propeller.Testing;

namespace Propeller.Wasm.Tests.Engine;

public sealed class ExportCallTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static readonly byte[] Arith = Repository.Guest("arith");

    private Task<WasmInvocationResult> Call(string function, params WasmValue[] arguments) =>
        fixture.Engine.RunAsync(new WasmInvocation(Arith) { Function = function, Arguments = arguments });

    [Fact]
    public async Task Calls_an_export_with_i32_arguments()
    {
        var result = await Call("add", WasmValue.FromInt32(40), WasmValue.FromInt32(2));

        Assert.Equal([WasmValue.FromInt32(42)], result.Results);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Wraps_i32_overflow_as_wasm_does()
    {
        var result = await Call("add", WasmValue.FromInt32(int.MaxValue), WasmValue.FromInt32(1));

        Assert.Equal(int.MinValue, result.Results[0].AsInt32());
    }

    [Fact]
    public async Task Keeps_every_bit_of_i64_values()
    {
        // Beyond 2^53: a double would round it; JavaScriptCore passes i64 as BigInt.
        var result = await Call("add64", WasmValue.FromInt64(9_007_199_254_740_993), WasmValue.FromInt64(-2));

        Assert.Equal(9_007_199_254_740_991, result.Results[0].AsInt64());
    }

    [Fact]
    public async Task Passes_f32_and_f64()
    {
        var result = await Call("scale", WasmValue.FromSingle(1.5f), WasmValue.FromDouble(0.25));

        Assert.Equal(0.375, result.Results[0].AsDouble());
    }

    [Fact]
    public async Task Returns_several_results_in_order()
    {
        var result = await Call("swap", WasmValue.FromInt32(7), WasmValue.FromInt64(long.MinValue));

        Assert.Equal([WasmValue.FromInt64(long.MinValue), WasmValue.FromInt32(7)], result.Results);
    }

    [Theory]
    [InlineData("crash", "wasm trap: wasm `unreachable` instruction executed")]
    [InlineData("divide", "wasm trap: integer divide by zero")]
    [InlineData("peek", "wasm trap: out of bounds memory access")]
    [InlineData("recurse", "wasm trap: call stack exhausted")]
    public async Task Reports_traps_in_wasmtime_words(string function, string message)
    {
        WasmValue[] arguments = function switch
        {
            "divide" => [WasmValue.FromInt32(1), WasmValue.FromInt32(0)],
            "peek" => [WasmValue.FromInt32(65536 * 4)],
            "recurse" => [WasmValue.FromInt32(0)],
            _ => [],
        };

        var error = await Assert.ThrowsAsync<WasmTrapException>(() => Call(function, arguments));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task The_engine_keeps_working_after_a_trap()
    {
        await Assert.ThrowsAsync<WasmTrapException>(() => Call("recurse", WasmValue.FromInt32(0)));

        var result = await Call("add", WasmValue.FromInt32(1), WasmValue.FromInt32(2));
        Assert.Equal(3, result.Results[0].AsInt32());
    }

    [Fact]
    public async Task Names_a_missing_export()
    {
        var error = await Assert.ThrowsAsync<WasmLinkException>(() => Call("nope"));

        Assert.Equal("failed to find function export `nope`", error.Message);
    }

    [Fact]
    public async Task Says_a_module_without_start_is_not_a_command()
    {
        var error = await Assert.ThrowsAsync<WasmLinkException>(() => fixture.Engine.RunAsync(new WasmInvocation(Arith)));

        Assert.Contains("exports no `_start`", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "takes 2 argument(s) (i32, i32), 1 given")]
    [InlineData(3, "takes 2 argument(s) (i32, i32), 3 given")]
    public async Task Checks_the_number_of_arguments(int count, string message)
    {
        var arguments = Enumerable.Repeat(WasmValue.FromInt32(1), count).ToArray();

        var error = await Assert.ThrowsAsync<WasmLinkException>(() => Call("add", arguments));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checks_the_type_of_arguments()
    {
        var error = await Assert.ThrowsAsync<WasmLinkException>(() => Call("add", WasmValue.FromInt64(1), WasmValue.FromInt32(1)));

        Assert.Equal("argument 1 of `add` must be i32, not i64", error.Message);
    }

    [Fact]
    public async Task Refuses_bytes_that_are_not_wasm()
    {
        await Assert.ThrowsAsync<WasmCompileException>(() =>
            fixture.Engine.RunAsync(new WasmInvocation("\0asm\u0001\0\0\0garbage"u8.ToArray()) { Function = "f" }));
    }
}
