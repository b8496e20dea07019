using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// One manager and three proplets, one per way of running a task: the host runtime with Node's WASI
/// (the reference the first tests used), the host runtime with <c>build/propeller-wasm</c>, and the
/// embedded engine, which preloads the wasi-nn example's model as the named graph <c>fixture</c>.
/// Tests pin tasks to a proplet with <c>proplet_id</c>. Every proplet lets tasks map
/// <see cref="Fixture"/> and the wasi-nn example's fixture (PROPLET_ALLOWED_DIRS), nothing else.
/// </summary>
public sealed class RuntimesStack : IAsyncLifetime
{
    public const string Node = "runtime-node";
    public const string PropellerWasm = "runtime-propeller-wasm";
    public const string Embedded = "runtime-embedded";

    private readonly Dictionary<string, ChildProcess> _proplets = [];

    public TempDirectory Directory { get; } = new();

    public ManagerProcess Manager { get; private set; } = null!;

    public HttpClient Http => Manager.Http;

    /// <summary>The directory of the test's own directory that tasks may map; the rest of it is outside what proplets allow.</summary>
    public string Fixture => Directory.Combine("fixture");

    public ChildProcess Proplet(string id) => _proplets[id];

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Fixture);
        Manager = await ManagerProcess.StartAsync(Directory);
        var starting = new[]
        {
            (Node, Repository.NodeWasiRuntime, "host"),
            (PropellerWasm, Repository.Executable("propeller-wasm"), "host"),
            (Embedded, (string?)null, "embedded"),
        }.Select(async p => (p.Item1, await PropletProcess.StartForAsync(
            Manager, p.Item2, p.Item1, extraEnvironment: new Dictionary<string, string?>
            {
                ["PROPLET_RUNTIME"] = p.Item3,
                ["PROPLET_NN_GRAPHS"] = p.Item3 == "embedded" ? $"onnx::{Repository.WasiNnFixture}" : null,
            },
            allowedDirs: [Fixture, Repository.WasiNnFixture])));
        foreach (var (id, proplet) in await Task.WhenAll(starting))
        {
            _proplets[id] = proplet;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var proplet in _proplets.Values)
        {
            await proplet.DisposeAsync();
        }

        await Manager.DisposeAsync();
        Directory.Dispose();
    }
}
