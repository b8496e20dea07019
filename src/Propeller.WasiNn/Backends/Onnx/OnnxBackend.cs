using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Propeller.WasiNn.Backends.Onnx;

/// <summary>
/// wasi-nn's onnx encoding over ONNX Runtime (CPU). One <see cref="InferenceSession"/> per loaded graph,
/// reused by every <c>compute</c>; ONNX Runtime documents <c>Run</c> as safe to call concurrently on one
/// session, which is what lets many tasks share a named graph.
/// </summary>
public sealed class OnnxBackend(OnnxBackendOptions? options = null) : IWasiNnBackend
{
    private readonly OnnxBackendOptions _options = options ?? new OnnxBackendOptions();

    public GraphEncoding Encoding => GraphEncoding.Onnx;

    public IWasiNnGraph Load(IReadOnlyList<ReadOnlyMemory<byte>> builders, ExecutionTarget target)
    {
        if (builders.Count != 1)
        {
            throw new WasiNnException(NnErrno.InvalidArgument,
                $"onnx takes exactly one graph builder (the .onnx file's bytes); {builders.Count} given");
        }

        if (builders[0].IsEmpty)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, "the model's bytes are empty");
        }

        CheckTarget(target);
        // The host already copied the bytes out of guest memory into an array of their own: use it as is.
        var model = MemoryMarshal.TryGetArray(builders[0], out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : builders[0].ToArray();
        return Create(options => new InferenceSession(model, options), "the model");
    }

    public IWasiNnGraph LoadDirectory(string directory, ExecutionTarget target)
    {
        var path = Path.Combine(directory, "model.onnx");
        if (!File.Exists(path))
        {
            throw new WasiNnException(NnErrno.NotFound, $"{path} does not exist (an onnx graph directory holds model.onnx)");
        }

        CheckTarget(target);
        return Create(options => new InferenceSession(path, options), path);
    }

    private OnnxGraph Create(Func<SessionOptions, InferenceSession> open, string what)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = _options.IntraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession session;
        try
        {
            session = open(sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new WasiNnException(NnErrno.RuntimeError, $"ONNX Runtime cannot load {what}: {e.Message}", e);
        }

        try
        {
            return new OnnxGraph(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void CheckTarget(ExecutionTarget target)
    {
        switch (target)
        {
            case ExecutionTarget.Cpu or ExecutionTarget.Auto:
                return;
            case ExecutionTarget.Gpu or ExecutionTarget.Tpu:
                throw new WasiNnException(NnErrno.UnsupportedOperation,
                    $"execution target {target.ToString().ToLowerInvariant()} is not available: this ONNX backend runs on the CPU (load with target cpu)");
            default:
                throw new WasiNnException(NnErrno.InvalidArgument, $"execution target {(int)target} does not exist (cpu 0, gpu 1, tpu 2)");
        }
    }
}

/// <summary>How the ONNX backend sets up sessions.</summary>
public sealed record OnnxBackendOptions
{
    /// <summary>Threads one inference may use; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; init; }
}
