namespace Propeller.Wasm.Tests.Engine;

/// <summary>One engine with two workers for a test class, as a proplet has.</summary>
public sealed class EngineFixture : IDisposable
{
    public WasmEngine Engine { get; } = new(new WasmEngineOptions { Workers = 2 });

    public void Dispose() => Engine.Dispose();
}
