using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using Propeller.Wasm;
using Propeller.Wasm.Commands;
using Propeller.WasiNn.Backends;

namespace Propeller.WasiNn;

/// <summary>
/// One instance's <c>wasi_ephemeral_nn</c>: the six functions of wasi-nn.witx, byte for byte as Wasmtime
/// links them for core modules (all parameters i32, result an <see cref="NnErrno"/>). Graph and context
/// handles belong to this instance and count from 0. Every guest pointer is bounds-checked: a bad one
/// is invalid_argument, never a crash (Wasmtime traps instead). When a call fails, the errno goes to the
/// guest and one line saying why goes to the guest's stderr.
/// </summary>
internal sealed class WasiNnModule : IHostModule
{
    public const string ModuleName = "wasi_ephemeral_nn";

    // Bounds on what a hostile guest can make the host hold; real guests use one or two of each.
    internal const int MaxGraphs = 64;
    internal const int MaxContexts = 256;
    internal const uint MaxBuilders = 16;
    internal const uint MaxRank = 32;
    internal const uint MaxNameBytes = 4096;

    private readonly GraphCatalog _catalog;
    private readonly IReadOnlyDictionary<string, IWasiNnGraph> _names;
    private readonly Stream _stderr;
    private readonly ILogger _logger;
    private readonly List<(IWasiNnGraph Graph, bool Owned)> _graphs = [];
    private readonly List<(IWasiNnExecutionContext Context, GraphEncoding Encoding)> _contexts = [];

    public WasiNnModule(GraphCatalog catalog, IReadOnlyDictionary<string, IWasiNnGraph> names, Stream stderr, ILogger logger)
    {
        _catalog = catalog;
        _names = names;
        _stderr = stderr;
        _logger = logger;
        Functions =
        [
            Function("load", 5, Load),
            Function("load_by_name", 3, LoadByName),
            Function("init_execution_context", 2, InitExecutionContext),
            Function("set_input", 3, SetInput),
            Function("compute", 1, Compute),
            Function("get_output", 5, GetOutput),
        ];
    }

    public IReadOnlyList<HostFunction> Functions { get; }

    public void Dispose()
    {
        foreach (var (context, _) in _contexts)
        {
            context.Dispose();
        }

        foreach (var (graph, owned) in _graphs)
        {
            if (owned)
            {
                graph.Dispose();
            }
        }

        _contexts.Clear();
        _graphs.Clear();
    }

    private void Load(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (buildersPtr, buildersLen, encodingCode, targetCode, outGraph) = (U32(args[0]), U32(args[1]), U32(args[2]), U32(args[3]), U32(args[4]));
        if (encodingCode > (uint)GraphEncoding.Autodetect)
        {
            throw new WasiNnException(NnErrno.InvalidEncoding, $"graph encoding {encodingCode} does not exist (openvino 0, onnx 1, tensorflow 2, pytorch 3, tensorflowlite 4, autodetect 5)");
        }

        if (targetCode > (uint)ExecutionTarget.Auto)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, $"execution target {targetCode} does not exist (cpu 0, gpu 1, tpu 2)");
        }

        if (buildersLen is 0 or > MaxBuilders)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, $"{buildersLen} graph builders: a graph takes 1 to {MaxBuilders}");
        }

        memory.Slice(outGraph, 4); // a bad out-pointer fails before the (slow) load, not after it
        var table = memory.Slice(buildersPtr, buildersLen * 8);
        var encoding = (GraphEncoding)encodingCode;
        if (encoding == GraphEncoding.Autodetect)
        {
            // One builder is a single-file format; ONNX is the single-file format this host runs.
            encoding = buildersLen == 1 ? GraphEncoding.Onnx : GraphEncoding.OpenVino;
        }

        var backend = _catalog.FindBackend(encoding);
        if (backend is null)
        {
            var message = $"cannot load a {GraphEncodingNames.Name(encoding)} graph: {WasiNnDocs.NoBackend(encoding)}";
            _logger.LogWarning("wasi-nn: {message}", message);
            throw new WasiNnException(NnErrno.UnsupportedOperation, message);
        }

        ReserveHandle(_graphs.Count, MaxGraphs, "graphs");
        var builders = new ReadOnlyMemory<byte>[buildersLen];
        for (var i = 0; i < builders.Length; i++)
        {
            var pointer = BinaryPrimitives.ReadUInt32LittleEndian(table[(i * 8)..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(table[(i * 8 + 4)..]);
            builders[i] = memory.Slice(pointer, length).ToArray();
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var graph = backend.Load(builders, (ExecutionTarget)targetCode);
        WasiNnMetrics.Loaded(encoding, "guest", started);
        AddGraph(memory, outGraph, graph, owned: true);
    }

    private void LoadByName(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (namePtr, nameLen, outGraph) = (U32(args[0]), U32(args[1]), U32(args[2]));
        if (nameLen > MaxNameBytes)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, $"a graph name of {nameLen} bytes; names are at most {MaxNameBytes}");
        }

        memory.Slice(outGraph, 4);
        string name;
        try
        {
            name = memory.ReadUtf8(namePtr, nameLen);
        }
        catch (DecoderFallbackException)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, "the graph name is not UTF-8");
        }

        if (!_names.TryGetValue(name, out var graph))
        {
            var known = _names.Count == 0 ? "none is loaded (preload one with -S nn-graph=onnx::DIR or PROPLET_NN_GRAPHS)" : "loaded: " + string.Join(", ", _names.Keys.Order(StringComparer.Ordinal));
            throw new WasiNnException(NnErrno.NotFound, $"no graph named `{name}`; {known}");
        }

        ReserveHandle(_graphs.Count, MaxGraphs, "graphs");
        AddGraph(memory, outGraph, graph, owned: false);
    }

    private void InitExecutionContext(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (graphHandle, outContext) = (U32(args[0]), U32(args[1]));
        var graph = FindGraph(graphHandle);
        memory.Slice(outContext, 4);
        ReserveHandle(_contexts.Count, MaxContexts, "execution contexts");
        var context = graph.CreateExecutionContext();
        _contexts.Add((context, graph.Encoding));
        memory.WriteUInt32(outContext, (uint)(_contexts.Count - 1));
    }

    private void SetInput(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (contextHandle, index, tensorPtr) = (U32(args[0]), U32(args[1]), U32(args[2]));
        var context = FindContext(contextHandle);
        var tensor = memory.Slice(tensorPtr, 20);
        var dimsPtr = BinaryPrimitives.ReadUInt32LittleEndian(tensor);
        var dimsLen = BinaryPrimitives.ReadUInt32LittleEndian(tensor[4..]);
        var typeCode = tensor[8]; // the low byte only: some guests leave garbage in the enum's padding
        var dataPtr = BinaryPrimitives.ReadUInt32LittleEndian(tensor[12..]);
        var dataLen = BinaryPrimitives.ReadUInt32LittleEndian(tensor[16..]);
        if (dimsLen > MaxRank)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, $"a tensor of rank {dimsLen}; at most {MaxRank} dimensions");
        }

        var dimsBytes = memory.Slice(dimsPtr, dimsLen * 4);
        var dims = new uint[dimsLen];
        ulong elements = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadUInt32LittleEndian(dimsBytes[(i * 4)..]);
            elements = dims[i] == 0 || elements == 0 ? 0 : elements > ulong.MaxValue / dims[i] ? ulong.MaxValue : elements * dims[i];
        }

        var type = TensorTypeCode.Decode(typeCode, elements, dataLen) ?? throw new WasiNnException(NnErrno.InvalidArgument,
            $"tensor type {typeCode} does not exist (f16 0, f32 1, f64 2, u8 3, i32 4, i64 5; older guests: u8 2, i32 3)");
        context.SetInput(index, new TensorInput(type, dims, memory.Slice(dataPtr, dataLen)));
    }

    private void Compute(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (context, encoding) = _contexts[ContextIndex(U32(args[0]))];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        context.Compute();
        WasiNnMetrics.Computed(encoding, started);
    }

    private void GetOutput(GuestMemory memory, ReadOnlySpan<WasmValue> args)
    {
        var (contextHandle, index, outBuffer, outMax, outWritten) = (U32(args[0]), U32(args[1]), U32(args[2]), U32(args[3]), U32(args[4]));
        var context = FindContext(contextHandle);
        memory.Slice(outWritten, 4);
        var output = context.GetOutput(index);
        if ((ulong)output.Length > outMax)
        {
            throw new WasiNnException(NnErrno.TooLarge, $"output {index} is {output.Length} bytes; the guest's buffer holds {outMax}");
        }

        output.CopyTo(memory.Slice(outBuffer, (uint)output.Length));
        memory.WriteUInt32(outWritten, (uint)output.Length);
    }

    private void AddGraph(GuestMemory memory, uint outGraph, IWasiNnGraph graph, bool owned)
    {
        _graphs.Add((graph, owned));
        memory.WriteUInt32(outGraph, (uint)(_graphs.Count - 1));
    }

    private IWasiNnGraph FindGraph(uint handle) => handle < _graphs.Count
        ? _graphs[(int)handle].Graph
        : throw new WasiNnException(NnErrno.InvalidArgument, $"graph {handle} does not exist ({_graphs.Count} loaded in this instance)");

    private IWasiNnExecutionContext FindContext(uint handle) => _contexts[ContextIndex(handle)].Context;

    private int ContextIndex(uint handle) => handle < _contexts.Count
        ? (int)handle
        : throw new WasiNnException(NnErrno.InvalidArgument, $"execution context {handle} does not exist ({_contexts.Count} created in this instance)");

    private static void ReserveHandle(int count, int max, string what)
    {
        if (count >= max)
        {
            throw new WasiNnException(NnErrno.RuntimeError, $"too many {what}: one instance may hold {max}");
        }
    }

    private static uint U32(WasmValue value) => (uint)value.AsInt32();

    /// <summary>Wraps a body: the errno it ends with is the function's result; failures are explained on stderr.</summary>
    private HostFunction Function(string name, int parameters, Action<GuestMemory, ReadOnlySpan<WasmValue>> body) =>
        new(ModuleName, name, [.. Enumerable.Repeat(WasmValueType.I32, parameters)], [WasmValueType.I32], (memory, args) =>
        {
            if (!memory.IsExported)
            {
                return WasmValue.FromInt32((int)Fail(name, NnErrno.MissingMemory, "the module exports no memory named `memory`"));
            }

            try
            {
                body(memory, args);
                return WasmValue.FromInt32((int)NnErrno.Success);
            }
            catch (WasiNnException e)
            {
                return WasmValue.FromInt32((int)Fail(name, e.Errno, e.Message));
            }
            catch (GuestMemoryOutOfBoundsException e)
            {
                return WasmValue.FromInt32((int)Fail(name, NnErrno.InvalidArgument, $"a pointer outside the guest's memory: {e.Message}"));
            }
        });

    private NnErrno Fail(string function, NnErrno errno, string message)
    {
        _logger.LogDebug("wasi-nn {function} → {errno}: {message}", function, errno, message);
        try
        {
            _stderr.Write(Encoding.UTF8.GetBytes($"wasi-nn: {function}: {message} ({ErrnoName(errno)})\n"));
        }
        catch (IOException)
        {
            // The guest's stderr is gone (a closed pipe); the errno still tells the guest.
        }

        return errno;
    }

    internal static string ErrnoName(NnErrno errno) => errno switch
    {
        NnErrno.InvalidArgument => "invalid_argument",
        NnErrno.InvalidEncoding => "invalid_encoding",
        NnErrno.MissingMemory => "missing_memory",
        NnErrno.Busy => "busy",
        NnErrno.RuntimeError => "runtime_error",
        NnErrno.UnsupportedOperation => "unsupported_operation",
        NnErrno.TooLarge => "too_large",
        NnErrno.NotFound => "not_found",
        _ => "success",
    };
}
