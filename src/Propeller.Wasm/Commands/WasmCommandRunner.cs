using Propeller.Core.Commands;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Wasi;

namespace Propeller.Wasm.Commands;

/// <summary>Runs a <see cref="WasmCommand"/> on an engine with WASI preview1 and the host modules it asks for.</summary>
public sealed class WasmCommandRunner(WasmEngine engine)
{
    /// <summary>
    /// Runs the command to its end. Throws <see cref="WasmCommandLineException"/> for a command line or
    /// arguments that do not fit the module, and the engine's <see cref="WasmException"/>s (trap, link,
    /// deadline) with messages fit for users; cancelling stops the guest.
    /// </summary>
    public async Task<WasmCommandResult> RunAsync(WasmCommand command, CancellationToken cancellationToken)
    {
        var line = command.CommandLine;
        var timeout = line.Timeout ?? command.DefaultTimeout;
        var maxMemory = (line.MaxMemoryBytes, command.MaxMemoryBytes) switch
        {
            ({ } asked, { } cap) => Math.Min(asked, cap),
            (var asked, var cap) => asked ?? cap,
        };

        var arguments = ParseInvokeArguments(command);
        var stdout = command.Stdout is null ? new CappedOutput(command.MaxCapturedBytes) : null;
        var stderr = command.Stderr is null ? new CappedOutput(command.MaxCapturedBytes) : null;

        // Blocking host calls (a sleeping poll_oneoff) must wake at the deadline too, not only guest code.
        using var deadline = new CancellationTokenSource(timeout);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var modules = new List<IHostModule>();
        try
        {
            using var wasi = new WasiPreview1(new WasiOptions
            {
                Arguments = [command.ProgramName, .. line.Invoke is null ? line.Arguments : []],
                Environment = MergeEnvironment(command.Environment, line.Env),
                Preopens = [.. line.Dirs.Select(WasiPreopen.Parse)],
                Stdin = command.Stdin,
                Stdout = command.Stdout ?? stdout,
                Stderr = command.Stderr ?? stderr,
                CancellationToken = run.Token,
            });

            var imports = new List<HostFunction>(wasi.Functions);
            var context = new HostModuleContext(command.Stderr ?? stderr!);
            foreach (var provider in command.HostModules)
            {
                if (provider.Create(line, context) is { } module)
                {
                    modules.Add(module);
                    imports.AddRange(module.Functions);
                }
            }

            var result = await engine.RunAsync(
                new WasmInvocation(command.Module)
                {
                    Imports = imports,
                    Function = line.Invoke,
                    Arguments = arguments,
                    Timeout = timeout,
                    MaxMemoryBytes = maxMemory,
                },
                cancellationToken).ConfigureAwait(false);

            return new WasmCommandResult(
                result.ExitCode,
                stdout?.ReadText() ?? "",
                stdout?.Truncated ?? false,
                stdout?.TotalBytes ?? 0,
                stderr?.ReadText() ?? "",
                result.Results);
        }
        finally
        {
            foreach (var module in modules)
            {
                module.Dispose();
            }

            stdout?.Dispose();
            stderr?.Dispose();
        }
    }

    /// <summary>--invoke's arguments are text; they become the export's parameter types, as wasmtime parses them.</summary>
    private static List<WasmValue> ParseInvokeArguments(WasmCommand command)
    {
        var line = command.CommandLine;
        if (line.Invoke is not { } name)
        {
            return [];
        }

        WasmFunctionType signature;
        try
        {
            signature = WasmEngine.Inspect(command.Module.Span).FindExportedFunction(name)
                ?? throw new WasmLinkException($"failed to find function export `{name}`");
        }
        catch (WasmFormatException e)
        {
            throw new WasmCompileException($"invalid WebAssembly module: {e.Message}", e);
        }

        if (line.Arguments.Count != signature.Parameters.Count)
        {
            throw new WasmCommandLineException(
                $"`{name}` takes {signature.Parameters.Count} argument(s) ({string.Join(", ", signature.Parameters).ToLowerInvariant()}), {line.Arguments.Count} given");
        }

        var values = new List<WasmValue>(line.Arguments.Count);
        for (var i = 0; i < line.Arguments.Count; i++)
        {
            var type = signature.Parameters[i];
            if (!WasmValue.TryParse(line.Arguments[i], type, out var value))
            {
                throw new WasmCommandLineException(
                    $"argument {i + 1} of `{name}` must be {type.ToString().ToLowerInvariant()}: `{line.Arguments[i]}` is not");
            }

            values.Add(value);
        }

        return values;
    }

    private static List<KeyValuePair<string, string>> MergeEnvironment(
        IReadOnlyList<KeyValuePair<string, string>> given, IReadOnlyList<KeyValuePair<string, string>> flags)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in given.Concat(flags))
        {
            merged[key] = value;
        }

        return [.. merged];
    }
}
