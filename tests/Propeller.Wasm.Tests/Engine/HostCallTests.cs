using Propeller.Testing;

namespace Propeller.Wasm.Tests.Engine;

public sealed class HostCallTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static readonly byte[] HostCalls = Repository.Guest("host-calls");

    private static HostFunction[] Imports(Action? onFail = null) =>
    [
        new("test", "twice", [WasmValueType.I64], [WasmValueType.I64], (_, args) => WasmValue.FromInt64(args[0].AsInt64() * 2)),
        new("test", "fill", [WasmValueType.I32, WasmValueType.I32], [WasmValueType.I32], (memory, args) =>
        {
            try
            {
                memory.Slice(args[0].AsUInt32(), args[1].AsUInt32()).Fill(0xAB);
                return WasmValue.FromInt32(0);
            }
            catch (GuestMemoryOutOfBoundsException)
            {
                return WasmValue.FromInt32(21);
            }
        }),
        new("test", "fail", [], [], (_, _) =>
        {
            onFail?.Invoke();
            throw new InvalidOperationException("the host said no");
        }),
    ];

    private Task<WasmInvocationResult> Call(string function, HostFunction[] imports, params WasmValue[] arguments) =>
        fixture.Engine.RunAsync(new WasmInvocation(HostCalls) { Function = function, Arguments = arguments, Imports = imports });

    [Fact]
    public async Task A_host_function_receives_and_returns_i64_exactly()
    {
        var result = await Call("call_twice", Imports(), WasmValue.FromInt64(0x1234_5678_9ABC_DEF));

        Assert.Equal(0x1234_5678_9ABC_DEF * 2, result.Results[0].AsInt64());
    }

    [Fact]
    public async Task A_host_function_sees_memory_the_guest_just_grew()
    {
        // The guest grows memory by 3 pages, then the host writes at the start of the new pages.
        var result = await Call("grow_then_fill", Imports(), WasmValue.FromInt32(3), WasmValue.FromInt32(100));

        Assert.Equal(0xAB, result.Results[0].AsInt32());
    }

    [Theory]
    [InlineData(65536u - 4, 4u, 0)]
    [InlineData(65536u - 4, 5u, 21)]
    [InlineData(0xFFFFFFF0u, 32u, 21)]
    public async Task Host_access_past_the_end_of_memory_is_refused(uint pointer, uint length, int expected)
    {
        var result = await Call("fill_at", Imports(), WasmValue.FromInt32(unchecked((int)pointer)), WasmValue.FromInt32((int)length));

        Assert.Equal(expected, result.Results[0].AsInt32());
    }

    [Fact]
    public async Task A_failing_host_function_traps_the_guest_and_names_itself()
    {
        var error = await Assert.ThrowsAsync<WasmTrapException>(() => Call("call_fail", Imports()));

        Assert.Equal("host function `test::fail` failed: the host said no", error.Message);
    }

    [Fact]
    public async Task A_host_exit_ends_the_run_with_its_code()
    {
        var result = await Call("call_fail", Imports(() => throw new GuestExitException(7)));

        Assert.Equal(7, result.ExitCode);
        Assert.Empty(result.Results);
    }

    [Fact]
    public async Task Many_host_calls_in_a_loop_all_arrive()
    {
        // acc = 2*acc + 1, ten times from 0: 2^10 - 1.
        var result = await Call("loop_calls", Imports(), WasmValue.FromInt32(10));

        Assert.Equal(1023, result.Results[0].AsInt64());
    }

    [Fact]
    public async Task An_import_nobody_provides_is_named_as_wasmtime_names_it()
    {
        var error = await Assert.ThrowsAsync<WasmLinkException>(() => Call("call_twice", Imports()[1..], WasmValue.FromInt64(1)));

        Assert.Equal("unknown import: `test::twice` has not been defined", error.Message);
    }

    [Fact]
    public async Task An_import_with_the_wrong_signature_is_refused()
    {
        var wrong = Imports();
        wrong[0] = new("test", "twice", [WasmValueType.I32], [WasmValueType.I32], (_, args) => args[0]);

        var error = await Assert.ThrowsAsync<WasmLinkException>(() => Call("call_twice", wrong, WasmValue.FromInt64(1)));

        Assert.StartsWith("incompatible import type for `test::twice`", error.Message, StringComparison.Ordinal);
    }
}
