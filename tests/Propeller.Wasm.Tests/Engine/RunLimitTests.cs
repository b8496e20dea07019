using Propeller.Testing;

namespace Propeller.Wasm.Tests.Engine;

public sealed class RunLimitTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static readonly byte[] Spin = Repository.Guest("spin");
    private static readonly byte[] Arith = Repository.Guest("arith");

    [Fact]
    public async Task An_endless_loop_stops_at_its_deadline_with_the_words_users_see()
    {
        var error = await Assert.ThrowsAsync<WasmDeadlineExceededException>(() =>
            fixture.Engine.RunAsync(new WasmInvocation(Spin) { Function = "forever", Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal("deadline exceeded after 0.3 s", error.Message);
    }

    [Fact]
    public async Task Endless_recursion_ends_too_either_by_the_stack_or_by_the_deadline()
    {
        var error = await Assert.ThrowsAnyAsync<WasmException>(() =>
            fixture.Engine.RunAsync(new WasmInvocation(Spin) { Function = "recurse_forever", Timeout = TimeSpan.FromSeconds(2) }));

        Assert.True(error is WasmTrapException { Message: "wasm trap: call stack exhausted" } or WasmDeadlineExceededException, error.Message);
    }

    [Fact]
    public async Task Cancelling_stops_an_endless_loop_and_the_worker_serves_the_next_run()
    {
        using var engine = new WasmEngine(new WasmEngineOptions { Workers = 1 });
        using var stop = new CancellationTokenSource();
        var spinning = engine.RunAsync(new WasmInvocation(Spin) { Function = "forever" }, stop.Token);
        await Task.Delay(100);
        Assert.False(spinning.IsCompleted);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spinning);
        var next = await engine.RunAsync(new WasmInvocation(Arith) { Function = "add", Arguments = [WasmValue.FromInt32(2), WasmValue.FromInt32(3)] });
        Assert.Equal(5, next.Results[0].AsInt32());
    }

    [Fact]
    public async Task Metering_does_not_change_what_a_guest_computes()
    {
        WasmValue[] n = [WasmValue.FromInt64(1_000_000)];
        var metered = await fixture.Engine.RunAsync(new WasmInvocation(Spin) { Function = "sum_squares", Arguments = n });
        var unmetered = await fixture.Engine.RunAsync(new WasmInvocation(Spin) { Function = "sum_squares", Arguments = n, Metered = false });

        // Σ i² for i < 10⁶ = (n-1)n(2n-1)/6, which fits in 64 bits.
        Assert.Equal(333_332_833_333_500_000, metered.Results[0].AsInt64());
        Assert.Equal(metered.Results, unmetered.Results);
    }

    [Fact]
    public async Task Memory_cannot_grow_past_the_cap()
    {
        // arith declares 1 page and at most 4; the cap lowers that to 2.
        var invocation = new WasmInvocation(Arith) { MaxMemoryBytes = 2 * 65536 };

        var grown = await fixture.Engine.RunAsync(invocation with { Function = "grow", Arguments = [WasmValue.FromInt32(1)] });
        var refused = await fixture.Engine.RunAsync(invocation with { Function = "grow", Arguments = [WasmValue.FromInt32(2)] });

        Assert.Equal(1, grown.Results[0].AsInt32());   // the old size in pages
        Assert.Equal(-1, refused.Results[0].AsInt32()); // memory.grow's "no"
    }

    [Fact]
    public async Task A_module_that_needs_more_memory_than_the_cap_is_refused_before_it_runs()
    {
        var error = await Assert.ThrowsAsync<WasmResourceLimitException>(() =>
            fixture.Engine.RunAsync(new WasmInvocation(Arith) { Function = "pages", MaxMemoryBytes = 1024 }));

        Assert.Contains("memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_the_same_module_again_compiles_it_once()
    {
        using var engine = new WasmEngine(new WasmEngineOptions { Workers = 1 });
        var module = Repository.Guest("arith").Concat(CustomSection("compile-once")).ToArray();
        var invocation = new WasmInvocation(module) { Function = "pages" };

        var before = engine.Compilations;
        await engine.RunAsync(invocation);
        await engine.RunAsync(invocation);
        await engine.RunAsync(invocation with { Module = module.ToArray() });

        Assert.Equal(1, engine.Compilations - before);
    }

    /// <summary>A custom section makes a module unique (a new SHA-256) without changing what it does.</summary>
    private static byte[] CustomSection(string name) =>
        [0, (byte)(name.Length + 1), (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name)];
}
