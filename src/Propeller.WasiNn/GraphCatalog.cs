using System.Collections.Concurrent;
using Propeller.WasiNn.Backends;
using Propeller.WasiNn.Backends.Onnx;

namespace Propeller.WasiNn;

/// <summary>
/// The backends a process has and the graphs it loaded from directories. Graphs loaded here are
/// shared: every run that names the same directory (<c>-S nn-graph</c>, or <c>PROPLET_NN_GRAPHS</c> at
/// start-up) gets the same loaded session, so a model is read and optimised once per process, not
/// once per task. A directory whose model.onnx changed (size or time) is loaded again; graphs stay
/// loaded until the catalog is disposed, because running tasks may still use them.
/// </summary>
public sealed class GraphCatalog : IDisposable
{
    private readonly Dictionary<GraphEncoding, IWasiNnBackend> _backends;
    private readonly ConcurrentDictionary<string, IWasiNnGraph> _byDirectory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IWasiNnGraph> _preloaded = new(StringComparer.Ordinal);
    private readonly Lock _loading = new();

    public GraphCatalog(IEnumerable<IWasiNnBackend> backends)
    {
        _backends = backends.ToDictionary(backend => backend.Encoding);
    }

    /// <summary>A catalog with every backend built in (ONNX Runtime; OpenVINO runs only through an external wasmtime).</summary>
    public static GraphCatalog WithBuiltInBackends(OnnxBackendOptions? onnx = null) => new([new OnnxBackend(onnx)]);

    /// <summary>The encodings this process can run (what a proplet reports for scheduling).</summary>
    public IReadOnlyCollection<GraphEncoding> Encodings => _backends.Keys;

    /// <summary>Names that <c>load_by_name</c> finds in every run (the preloaded graphs).</summary>
    public IReadOnlyDictionary<string, IWasiNnGraph> Preloaded => _preloaded;

    public IWasiNnBackend? FindBackend(GraphEncoding encoding) => _backends.GetValueOrDefault(encoding);

    /// <summary>Loads graphs every run can name (a proplet's <c>PROPLET_NN_GRAPHS</c>); throws when one cannot be loaded.</summary>
    public void Preload(IEnumerable<GraphSpec> specs)
    {
        foreach (var spec in specs)
        {
            _preloaded[spec.Name] = Load(spec);
        }
    }

    /// <summary>The graph in <paramref name="spec"/>'s directory, loaded now or earlier.</summary>
    /// <exception cref="WasiNnException">No backend for the encoding, no model file, or a model the backend refuses.</exception>
    public IWasiNnGraph Load(GraphSpec spec)
    {
        var backend = FindBackend(spec.Encoding) ?? throw new WasiNnException(NnErrno.UnsupportedOperation,
            $"{GraphEncodingNames.Name(spec.Encoding)} graphs cannot be loaded here: {WasiNnDocs.NoBackend(spec.Encoding)}");
        var key = Key(spec);
        if (_byDirectory.TryGetValue(key, out var graph))
        {
            return graph;
        }

        lock (_loading)
        {
            if (!_byDirectory.TryGetValue(key, out graph))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                graph = backend.LoadDirectory(Path.GetFullPath(spec.Directory), ExecutionTarget.Cpu);
                WasiNnMetrics.Loaded(spec.Encoding, "directory", started);
                _byDirectory[key] = graph;
            }

            return graph;
        }
    }

    public void Dispose()
    {
        foreach (var graph in _byDirectory.Values)
        {
            graph.Dispose();
        }

        _byDirectory.Clear();
        _preloaded.Clear();
    }

    /// <summary>The directory and what its model file is now, so that a replaced model is loaded again.</summary>
    private static string Key(GraphSpec spec)
    {
        var directory = Path.GetFullPath(spec.Directory);
        var model = new FileInfo(Path.Combine(directory, spec.Encoding == GraphEncoding.Onnx ? "model.onnx" : "model.xml"));
        var version = model.Exists ? $"{model.Length}:{model.LastWriteTimeUtc.Ticks}" : "missing";
        return $"{spec.Encoding}|{directory}|{version}";
    }
}
