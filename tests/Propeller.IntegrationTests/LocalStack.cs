using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// A manager with its embedded broker and one proplet whose external runtime is Node's WASI behind
/// a wasmtime-style wrapper (wasmtime itself is not installable here). Shared by a test class.
/// </summary>
public sealed class LocalStack : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public ManagerProcess Manager { get; private set; } = null!;

    public ChildProcess Proplet { get; private set; } = null!;

    public string PropletId { get; } = $"proplet-{Guid.NewGuid():N}";

    public HttpClient Http => Manager.Http;

    public async Task InitializeAsync()
    {
        Manager = await ManagerProcess.StartAsync(Directory);
        // The seeds' flow maps a fixture/ of the test's directory.
        Proplet = await PropletProcess.StartForAsync(Manager, Repository.NodeWasiRuntime, PropletId, allowedDirs: [Directory.Combine("fixture")]);
    }

    public async Task DisposeAsync()
    {
        await Proplet.DisposeAsync();
        await Manager.DisposeAsync();
        Directory.Dispose();
    }
}
