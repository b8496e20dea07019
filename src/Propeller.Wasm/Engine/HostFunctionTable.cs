using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Propeller.Wasm.Engine;

/// <summary>
/// The bridge from guest to host. Each import name gets one native JavaScript function per worker,
/// created once and reused by every run; all of them enter <see cref="OnCall"/>, which finds the run in
/// progress on this thread and the <see cref="HostFunction"/> that run linked under that function.
/// </summary>
internal sealed unsafe class HostFunctionTable(JscContext context)
{
    private readonly Dictionary<(string Module, string Name), IntPtr> _functions = [];

    /// <summary>The run in progress on this worker thread.</summary>
    [ThreadStatic]
    internal static RunState? Current;

    /// <summary>The JavaScript function that calls <paramref name="host"/> during <paramref name="run"/>.</summary>
    public IntPtr Bind(HostFunction host, RunState run)
    {
        if (!_functions.TryGetValue((host.Module, host.Name), out var function))
        {
            function = context.NewFunction(host.Name, &OnCall);
            context.Protect(function);
            _functions[(host.Module, host.Name)] = function;
        }

        run.ByFunction[function] = host;
        return function;
    }

    // Called by JavaScriptCore in the middle of guest code. Nothing may escape from here: a .NET
    // exception cannot unwind through the engine's native frames, so failures become a JavaScript
    // exception that unwinds the guest, and the real exception waits in the run for the runner.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static IntPtr OnCall(IntPtr contextHandle, IntPtr function, IntPtr thisObject, nuint argumentCount, IntPtr* arguments, IntPtr* exception)
    {
        var run = Current;
        if (run is null || !run.ByFunction.TryGetValue(function, out var host))
        {
            // A guest kept a host function and called it after its run ended.
            return JscNative.JSValueMakeUndefined(contextHandle);
        }

        var context = run.Context;
        try
        {
            if (run.Memory is JscGuestMemory memory)
            {
                memory.MarkStale();
            }

            var count = host.Parameters.Count;
            Span<WasmValue> values = count <= 16 ? stackalloc WasmValue[count] : new WasmValue[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = i < (int)argumentCount
                    ? FromJs(context, arguments[i], host.Parameters[i])
                    : default;
            }

            var result = host.Body(run.Memory, values);
            return host.Results.Count == 0 ? context.Undefined : ToJs(context, result, host.Results[0]);
        }
        catch (Exception e)
        {
            run.HostFailure = e;
            run.FailedFunction = $"{host.Module}::{host.Name}";
            *exception = context.NewError(e.Message);
            return context.Undefined;
        }
    }

    internal static WasmValue FromJs(JscContext context, IntPtr value, WasmValueType type) => type switch
    {
        WasmValueType.I32 => WasmValue.FromInt32(unchecked((int)(long)context.ToNumber(value))),
        WasmValueType.I64 => WasmValue.FromInt64(context.ToInt64(value)),
        WasmValueType.F32 => WasmValue.FromSingle((float)context.ToNumber(value)),
        _ => WasmValue.FromDouble(context.ToNumber(value)),
    };

    internal static IntPtr ToJs(JscContext context, WasmValue value, WasmValueType type) => type switch
    {
        WasmValueType.I64 => context.BigInt(value.AsInt64()),
        WasmValueType.I32 => context.Number(value.AsInt32()),
        WasmValueType.F32 => context.Number(value.AsSingle()),
        _ => context.Number(value.AsDouble()),
    };
}
