using System.Text.Json;
using Propeller.Core.Commands;
using Propeller.Wasm;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Commands;
using Propeller.WasiNn;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Runs tasks in-process on the embedded engine (JavaScriptCore's wasm runtime with WASI preview1),
/// reading a task's cli_args with wasmtime's grammar so a task runs the same here and on the host
/// runtime (its directories held to PROPLET_ALLOWED_DIRS, as there). A task whose name is an exported function is called with its inputs as the parameters and
/// its results become the task's results (as upstream's embedded runtime does); any other module runs
/// as a command: <c>_start</c> with the inputs as its arguments, stdout as the results.
/// </summary>
public sealed class EmbeddedRuntime(
    WasmEngine engine, PropletOptions options, IEnumerable<IHostModuleProvider> hostModules, GraphCatalog graphs) : IWasmRuntime
{
    private const int StderrTailChars = 4096;

    private readonly WasmCommandRunner _runner = new(engine);
    private readonly AllowedDirectories _allowedDirectories = AllowedDirectories.For(options);
    private readonly IHostModuleProvider[] _hostModules = [.. hostModules];

    public string Description => "embedded:javascriptcore";

    public string? Version => $"propeller-wasm {typeof(WasmEngine).Assembly.GetName().Version?.ToString(3)} (JavaScriptCore)";

    public IReadOnlyList<string> NnEncodings => options.NnEncodings ?? [.. graphs.Encodings.Select(GraphEncodingNames.Name).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> NnGraphs => [.. graphs.Preloaded.Keys.Order(StringComparer.Ordinal)];

    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        WasmCommandLine line;
        try
        {
            line = _allowedDirectories.Confine(WasmCommandLine.ParseCliArgs(request.CliArgs));
        }
        catch (WasmCommandLineException e)
        {
            return RunOutcome.Failure(e.Message);
        }

        var invoke = line.Invoke ?? ExportedFunctionNamed(request.Module, request.Name);
        line = line with { Invoke = invoke, Arguments = request.Inputs };
        var command = new WasmCommand(request.Module, line)
        {
            ProgramName = $"proplet_{request.TaskId}.wasm",
            Environment = [.. request.Env],
            MaxCapturedBytes = options.MaxOutputBytes,
            DefaultTimeout = request.Timeout,
            MaxMemoryBytes = options.MaxMemoryBytes,
            HostModules = _hostModules,
        };

        WasmCommandResult result;
        try
        {
            result = await _runner.RunAsync(command, cancellationToken);
        }
        catch (Exception e) when (e is WasmException or WasmCommandLineException)
        {
            return RunOutcome.Failure(e.Message);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // A --dir the proplet cannot give: said before the guest starts.
            return RunOutcome.Failure(e.Message);
        }

        var output = result.Stdout;
        if (result.StdoutTruncated)
        {
            output += $"\n[output truncated: {result.StdoutBytes} bytes in all, the first {options.MaxOutputBytes} kept (PROPLET_MAX_OUTPUT_BYTES)]";
        }

        if (result.ExitCode != 0)
        {
            var stderr = result.Stderr.Trim();
            var cut = stderr.Length > StderrTailChars;
            return RunOutcome.Exited(output, result.ExitCode, cut ? stderr[^StderrTailChars..] : stderr, cut);
        }

        return invoke is null
            ? new RunOutcome(output, 0, null)
            : new RunOutcome(output, 0, null) { Results = ResultsJson(result.Results) };
    }

    /// <summary>The task's name when the module exports a function of that name (other than the command entry).</summary>
    private static string? ExportedFunctionNamed(byte[] module, string name)
    {
        if (name == "_start")
        {
            return null;
        }

        try
        {
            return WasmEngine.Inspect(module).FindExportedFunction(name) is null ? null : name;
        }
        catch (WasmFormatException)
        {
            return null; // the engine reports the malformed module with its own words
        }
    }

    /// <summary>Results as a JSON array of numbers, like upstream: <c>[42]</c>.</summary>
    private static JsonElement ResultsJson(IReadOnlyList<WasmValue> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                switch (value.Type)
                {
                    case WasmValueType.I32:
                        writer.WriteNumberValue(value.AsInt32());
                        break;
                    case WasmValueType.I64:
                        writer.WriteNumberValue(value.AsInt64());
                        break;
                    case WasmValueType.F32 when float.IsFinite(value.AsSingle()):
                        writer.WriteNumberValue(value.AsSingle());
                        break;
                    case WasmValueType.F64 when double.IsFinite(value.AsDouble()):
                        writer.WriteNumberValue(value.AsDouble());
                        break;
                    default:
                        writer.WriteStringValue(value.ToString()); // NaN and infinities have no JSON number
                        break;
                }
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
