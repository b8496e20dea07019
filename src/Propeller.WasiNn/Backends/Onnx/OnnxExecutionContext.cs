using Microsoft.ML.OnnxRuntime;

namespace Propeller.WasiNn.Backends.Onnx;

/// <summary>
/// One execution context. Each input is copied once, from guest memory into a tensor ONNX Runtime
/// allocated (kept and refilled while the shape stays the same); outputs stay in ONNX Runtime's memory
/// until the host copies them once into guest memory.
/// </summary>
internal sealed class OnnxExecutionContext(OnnxGraph graph) : IWasiNnExecutionContext
{
    private readonly OrtValue?[] _inputs = new OrtValue?[graph.Inputs.Length];
    private readonly RunOptions _runOptions = new();
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;

    public void SetInput(uint index, TensorInput tensor)
    {
        if (index >= _inputs.Length)
        {
            throw new WasiNnException(NnErrno.InvalidArgument,
                $"the model has {_inputs.Length} input(s) ({string.Join(", ", graph.InputNames)}); there is no input {index}");
        }

        var wanted = graph.Inputs[index];
        var name = graph.InputNames[index];
        if (!wanted.IsTensor)
        {
            throw new WasiNnException(NnErrno.UnsupportedOperation, $"input {index} ('{name}') is not a tensor; wasi-nn can only pass tensors");
        }

        var elementType = OnnxTypes.ToOnnx(tensor.Type);
        if (elementType != wanted.ElementDataType || !ShapeFits(wanted.Dimensions, tensor.Dimensions))
        {
            throw new WasiNnException(NnErrno.InvalidArgument,
                $"input {index} ('{name}') takes {OnnxTypes.Describe(wanted)}; got {tensor.Describe()}");
        }

        var shape = new long[tensor.Dimensions.Length];
        ulong elements = 1;
        try
        {
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = tensor.Dimensions[i];
                elements = checked(elements * tensor.Dimensions[i]);
            }

            if (checked(elements * (ulong)TensorTypes.ElementSize(tensor.Type)) != (ulong)tensor.Data.Length)
            {
                throw new OverflowException();
            }
        }
        catch (OverflowException)
        {
            throw new WasiNnException(NnErrno.InvalidArgument,
                $"input {index} ('{name}'): {tensor.Data.Length} data bytes do not match the dimensions [{string.Join(",", shape)}] of {TensorTypes.Name(tensor.Type)} ({TensorTypes.ElementSize(tensor.Type)} bytes each)");
        }

        var value = _inputs[index];
        if (value is null || !SameShape(value, elementType, shape))
        {
            value?.Dispose();
            _inputs[index] = null;
            value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);
            _inputs[index] = value;
        }

        tensor.Data.CopyTo(value.GetTensorMutableRawData());
    }

    public void Compute()
    {
        for (var i = 0; i < _inputs.Length; i++)
        {
            if (_inputs[i] is null)
            {
                throw new WasiNnException(NnErrno.InvalidArgument,
                    $"input {i} ('{graph.InputNames[i]}', {OnnxTypes.Describe(graph.Inputs[i])}) is not set: call set_input before compute");
            }
        }

        _outputs?.Dispose();
        _outputs = null;
        try
        {
            _outputs = graph.Session.Run(_runOptions, graph.InputNames, _inputs!, graph.OutputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw new WasiNnException(NnErrno.RuntimeError, $"ONNX Runtime failed to run the model: {e.Message}", e);
        }
    }

    public ReadOnlySpan<byte> GetOutput(uint index)
    {
        if (_outputs is null)
        {
            throw new WasiNnException(NnErrno.InvalidArgument, "there is no output yet: call compute before get_output");
        }

        if (index >= _outputs.Count)
        {
            throw new WasiNnException(NnErrno.InvalidArgument,
                $"the model has {_outputs.Count} output(s) ({string.Join(", ", graph.OutputNames)}); there is no output {index}");
        }

        try
        {
            return _outputs[(int)index].GetTensorDataAsSpan<byte>();
        }
        catch (OnnxRuntimeException e)
        {
            throw new WasiNnException(NnErrno.UnsupportedOperation,
                $"output {index} ('{graph.OutputNames[index]}') cannot be passed to a guest: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _outputs?.Dispose();
        foreach (var input in _inputs)
        {
            input?.Dispose();
        }

        _runOptions.Dispose();
    }

    /// <summary>Same rank; each fixed dimension equal (a symbolic one, -1 or 0 in the metadata, takes any size).</summary>
    private static bool ShapeFits(int[] wanted, ReadOnlySpan<uint> given)
    {
        if (wanted.Length != given.Length)
        {
            return false;
        }

        for (var i = 0; i < wanted.Length; i++)
        {
            if (wanted[i] > 0 && (uint)wanted[i] != given[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameShape(OrtValue value, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType type, long[] shape)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType == type && info.Shape.AsSpan().SequenceEqual(shape);
    }
}
