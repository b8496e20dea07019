using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Core.Commands;
using Propeller.Wasm.Commands;
using Propeller.WasiNn.Backends;

namespace Propeller.WasiNn;

/// <summary>
/// Links <c>wasi_ephemeral_nn</c> into a run whose command line asks for it (<c>-S nn</c>, or any
/// <c>-S nn-graph=ENCODING::DIR</c>), as <c>wasmtime run -S nn</c> does. The run's named graphs are the
/// catalog's preloaded ones plus those its command line names (loaded once per process, then shared).
/// </summary>
public sealed class WasiNnProvider(GraphCatalog catalog, ILogger<WasiNnProvider>? logger = null) : IHostModuleProvider
{
    private readonly ILogger _logger = logger ?? NullLogger<WasiNnProvider>.Instance;

    public GraphCatalog Catalog => catalog;

    /// <exception cref="WasmCommandLineException">A <c>-S nn-graph</c> that cannot be loaded (before the guest starts, as wasmtime fails).</exception>
    public IHostModule? Create(WasmCommandLine commandLine, HostModuleContext context)
    {
        if (!commandLine.Nn)
        {
            return null;
        }

        var names = new Dictionary<string, IWasiNnGraph>(catalog.Preloaded, StringComparer.Ordinal);
        foreach (var (encoding, directory) in commandLine.NnGraphs)
        {
            try
            {
                var spec = GraphSpec.Parse(encoding, directory);
                names[spec.Name] = catalog.Load(spec);
            }
            catch (Exception e) when (e is FormatException or WasiNnException)
            {
                throw new WasmCommandLineException($"-S nn-graph={encoding}::{directory}: {e.Message}");
            }
        }

        return new WasiNnModule(catalog, names, context.Stderr, _logger);
    }
}
