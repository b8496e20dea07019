using System.Collections.Concurrent;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Limits;

namespace Propeller.Wasm.Engine;

/// <summary>
/// Compiles, links, instantiates and calls modules in one worker's VM. Lives on that worker's thread.
/// </summary>
internal sealed class InstanceRunner : IDisposable
{
    private const string Bootstrap = """
        ({
            compile: (bytes) => new WebAssembly.Module(bytes),
            instantiate: (module, imports) => new WebAssembly.Instance(module, imports),
        })
        """;

    private readonly JscContext _context;
    private readonly IntPtr _compile;
    private readonly IntPtr _instantiate;
    private readonly int _modulesToKeep;
    private readonly ConcurrentDictionary<ModuleKey, byte> _compiledKeys;
    private readonly Dictionary<ModuleKey, CompiledModule> _compiled = [];
    private readonly Queue<ModuleKey> _compiledOrder = new();
    private readonly HostFunctionTable _hostFunctions;
    private readonly EngineCounters _counters;

    public InstanceRunner(JscContext context, int modulesToKeep, ConcurrentDictionary<ModuleKey, byte> compiledKeys, EngineCounters counters)
    {
        _context = context;
        _modulesToKeep = Math.Max(1, modulesToKeep);
        _compiledKeys = compiledKeys;
        var helpers = context.Evaluate(Bootstrap);
        context.Protect(helpers);
        _compile = context.Get(helpers, "compile");
        _instantiate = context.Get(helpers, "instantiate");
        _hostFunctions = new HostFunctionTable(context);
        _counters = counters;
    }

    public WasmInvocationResult Run(PreparedModule module, WasmInvocation invocation, RunBudget budget)
    {
        var compiled = GetOrCompile(module);
        var exportName = invocation.Function ?? "_start";
        var signature = module.Info.FindExportedFunction(exportName)
            ?? throw new WasmLinkException(invocation.Function is null
                ? "the module is not a command: it exports no `_start` function (name an exported function to call instead)"
                : $"failed to find function export `{exportName}`");
        var arguments = CheckArguments(exportName, signature, invocation.Arguments);

        var run = new RunState(_context);
        var refuelFunction = new HostFunction(
            ModuleInstrumenter.ImportModule, ModuleInstrumenter.RefuelImport, [], [WasmValueType.I32], (_, _) => WasmValue.FromInt32(budget.Refuel()));
        var importsObject = BuildImports(compiled, invocation.Imports, refuelFunction, run);
        _context.Protect(importsObject);
        HostFunctionTable.Current = run;
        try
        {
            budget.ThrowIfSpent();
            var instance = Guest(run, budget, () => _context.Call(_instantiate, [compiled.Module, importsObject]));
            _context.Protect(instance);
            run.Protected.Add(instance);
            var exports = _context.Get(instance, "exports");
            var memory = _context.Get(exports, "memory");
            if (_context.IsObject(memory))
            {
                run.Memory = new JscGuestMemory(_context, memory);
            }

            var function = _context.Get(exports, exportName);
            var jsArguments = new IntPtr[arguments.Count];
            for (var i = 0; i < arguments.Count; i++)
            {
                jsArguments[i] = HostFunctionTable.ToJs(_context, arguments[i], arguments[i].Type);
            }

            var result = Guest(run, budget, () => _context.Call(function, jsArguments));
            return new WasmInvocationResult(FromJsResults(result, signature.Results), 0);
        }
        catch (GuestExitException exit)
        {
            // proc_exit, from the entry point or from a start function during instantiation.
            return new WasmInvocationResult([], exit.ExitCode);
        }
        finally
        {
            HostFunctionTable.Current = null;
            run.Dispose();
            _context.Unprotect(importsObject);
        }
    }

    /// <summary>Runs guest code; a JavaScript exception becomes what the guest or a host function really did.</summary>
    private static T Guest<T>(RunState run, RunBudget budget, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (JscException e)
        {
            if (run.HostFailure is { } failure)
            {
                run.HostFailure = null;
                if (failure is OperationCanceledException)
                {
                    // A host function noticed the run's token: the deadline passed, or the run was stopped.
                    budget.ThrowIfSpent();
                }

                if (failure is GuestExitException or OperationCanceledException or WasmException)
                {
                    throw failure;
                }

                throw new WasmTrapException($"host function `{run.FailedFunction}` failed: {failure.Message}", failure);
            }

            // A guest stopped by its fuel check traps; what the user needs to know is why it was stopped.
            budget.ThrowIfSpent();
            throw JscErrors.Translate(e.Message);
        }
    }

    private IntPtr BuildImports(CompiledModule compiled, IReadOnlyList<HostFunction> provided, HostFunction refuel, RunState run)
    {
        var byKey = new Dictionary<(string, string), HostFunction>(provided.Count + 1);
        foreach (var function in provided)
        {
            byKey[(function.Module, function.Name)] = function;
        }

        byKey[(refuel.Module, refuel.Name)] = refuel;
        var importsObject = _context.NewObject();
        var namespaces = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
        foreach (var import in compiled.Imports)
        {
            if (import.Kind != WasmExternKind.Function || !byKey.TryGetValue((import.Module, import.Name), out var host))
            {
                throw new WasmLinkException($"unknown import: `{import.Module}::{import.Name}` has not been defined");
            }

            if (import.FunctionType is { } type && (!type.Parameters.SequenceEqual(host.Parameters) || !type.Results.SequenceEqual(host.Results)))
            {
                throw new WasmLinkException(
                    $"incompatible import type for `{import.Module}::{import.Name}`: the module expects ({string.Join(", ", type.Parameters)}) -> ({string.Join(", ", type.Results)}), the host provides {host}");
            }

            if (!namespaces.TryGetValue(import.Module, out var target))
            {
                target = _context.NewObject();
                namespaces[import.Module] = target;
                _context.Set(importsObject, import.Module, target);
            }

            _context.Set(target, import.Name, _hostFunctions.Bind(host, run));
        }

        return importsObject;
    }

    private CompiledModule GetOrCompile(PreparedModule module)
    {
        if (_compiled.TryGetValue(module.Key, out var compiled))
        {
            return compiled;
        }

        IntPtr jsModule;
        try
        {
            jsModule = _context.Call(_compile, [_context.NewUint8Array(module.Bytes)]);
        }
        catch (JscException e)
        {
            throw new WasmCompileException($"failed to compile the module: {e.Message}", e);
        }

        _context.Protect(jsModule);
        _counters.CountCompilation();
        List<WasmImport> imports = [.. module.Info.Imports];

        if (module.Key.Metered)
        {
            imports.Add(new WasmImport(ModuleInstrumenter.ImportModule, ModuleInstrumenter.RefuelImport, WasmExternKind.Function, null));
        }

        compiled = new CompiledModule(jsModule, imports);
        _compiled[module.Key] = compiled;
        _compiledOrder.Enqueue(module.Key);
        _compiledKeys[module.Key] = 0;
        while (_compiledOrder.Count > _modulesToKeep)
        {
            var oldest = _compiledOrder.Dequeue();
            _context.Unprotect(_compiled[oldest].Module);
            _compiled.Remove(oldest);
            _compiledKeys.TryRemove(oldest, out _);
        }

        return compiled;
    }

    private static IReadOnlyList<WasmValue> CheckArguments(string name, WasmFunctionType signature, IReadOnlyList<WasmValue> arguments)
    {
        var unsupported = signature.Parameters.Concat(signature.Results)
            .Where(t => t is WasmValueType.V128 or WasmValueType.FuncRef or WasmValueType.ExternRef)
            .ToList();
        if (unsupported.Count > 0)
        {
            throw new WasmLinkException($"cannot call `{name}`: its signature uses {unsupported[0].ToString().ToLowerInvariant()}; only numbers (i32, i64, f32, f64) can cross");
        }

        if (arguments.Count != signature.Parameters.Count)
        {
            throw new WasmLinkException($"`{name}` takes {signature.Parameters.Count} argument(s) ({string.Join(", ", signature.Parameters).ToLowerInvariant()}), {arguments.Count} given");
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Type != signature.Parameters[i])
            {
                throw new WasmLinkException($"argument {i + 1} of `{name}` must be {signature.Parameters[i].ToString().ToLowerInvariant()}, not {arguments[i].Type.ToString().ToLowerInvariant()}");
            }
        }

        return arguments;
    }

    private List<WasmValue> FromJsResults(IntPtr result, IReadOnlyList<WasmValueType> types)
    {
        if (types.Count == 1)
        {
            return [FromJs(result, types[0])];
        }

        // Several results come back as an array.
        var values = new List<WasmValue>(types.Count);
        for (var i = 0; i < types.Count; i++)
        {
            values.Add(FromJs(_context.GetAt(result, (uint)i), types[i]));
        }

        return values;
    }

    private WasmValue FromJs(IntPtr value, WasmValueType type) => HostFunctionTable.FromJs(_context, value, type);

    public void Dispose()
    {
        foreach (var compiled in _compiled.Values)
        {
            _context.Unprotect(compiled.Module);
        }

        _compiled.Clear();
        _compiledKeys.Clear();
        _context.Dispose();
    }

    private sealed record CompiledModule(IntPtr Module, IReadOnlyList<WasmImport> Imports);
}
