using System.Globalization;

namespace Propeller.Wasm.Commands;

/// <summary>
/// The part of wasmtime's command line that the seeds and upstream use, read the same way by
/// <c>propeller-wasm</c> and by the proplet's embedded runtime (where a task's <c>cli_args</c> hold the
/// flags), so one task definition runs on either:
/// <c>[run] [-S nn] [-S nn-graph=ENC::DIR] [--dir=HOST[::GUEST]] [--env K[=V]] [--invoke NAME]
/// [-W timeout=DURATION] [-W max-memory-size=BYTES] [--] [file.wasm [args…]]</c>.
/// Anything else is refused with a message naming what is accepted: silence would run a task
/// differently from what its author asked.
/// </summary>
public sealed record WasmCommandLine
{
    /// <summary>The flags this grammar accepts, for error messages and <c>--help</c>.</summary>
    public const string Accepted =
        "-S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME[=VALUE], --invoke NAME, -W timeout=DURATION, -W max-memory-size=BYTES";

    /// <summary>Directory mappings as written (<c>HOST::GUEST</c> or <c>DIR</c>), in order.</summary>
    public IReadOnlyList<string> Dirs { get; init; } = [];

    /// <summary>Environment for the guest, in order; a later value for a name wins.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    /// <summary>The export to call instead of <c>_start</c>.</summary>
    public string? Invoke { get; init; }

    /// <summary>Whether wasi-nn (<c>wasi_ephemeral_nn</c>) is linked: <c>-S nn</c>.</summary>
    public bool Nn { get; init; }

    /// <summary>Graphs to preload for <c>load_by_name</c>: <c>-S nn-graph=onnx::/models/squeezenet</c>.</summary>
    public IReadOnlyList<(string Encoding, string Directory)> NnGraphs { get; init; } = [];

    public TimeSpan? Timeout { get; init; }

    public ulong? MaxMemoryBytes { get; init; }

    /// <summary>The module's path (null when only flags were given, as in a task's cli_args).</summary>
    public string? Module { get; init; }

    /// <summary>The guest's arguments after the module.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// Reads <paramref name="args"/>. With <paramref name="expectModule"/> the first positional argument
    /// is the module and the rest belong to the guest; without it (a task's cli_args) positional
    /// arguments are refused. Throws <see cref="WasmCommandLineException"/> saying what is wrong.
    /// </summary>
    public static WasmCommandLine Parse(IReadOnlyList<string> args, bool expectModule)
    {
        var dirs = new List<string>();
        var env = new List<KeyValuePair<string, string>>();
        var graphs = new List<(string, string)>();
        string? invoke = null;
        var nn = false;
        TimeSpan? timeout = null;
        ulong? maxMemory = null;
        var i = 0;
        if (args.Count > 0 && args[0] == "run")
        {
            i++;
        }

        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                break;
            }

            var (flag, inlineValue) = Split(arg);
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new WasmCommandLineException($"{flag} needs a value");
                }

                return args[++i];
            }

            switch (flag)
            {
                case "--dir":
                    dirs.Add(CheckDir(Value()));
                    break;
                case "--env":
                    env.Add(ParseEnv(Value()));
                    break;
                case "--invoke":
                    invoke = Value();
                    if (invoke.Length == 0)
                    {
                        throw new WasmCommandLineException("--invoke needs the name of an exported function");
                    }

                    break;
                case "-S":
                    foreach (var option in Value().Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        ReadWasiOption(option, ref nn, graphs);
                    }

                    break;
                case "-W":
                    foreach (var option in Value().Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        ReadWasmOption(option, ref timeout, ref maxMemory);
                    }

                    break;
                default:
                    throw new WasmCommandLineException($"unknown option `{arg}`; accepted: {Accepted}");
            }
        }

        var positional = args.Skip(i).ToList();
        string? module = null;
        if (expectModule)
        {
            if (positional.Count == 0)
            {
                throw new WasmCommandLineException("no module given: name a .wasm file, e.g. `propeller-wasm run hello.wasm`");
            }

            module = positional[0];
            positional.RemoveAt(0);
        }
        else if (positional.Count > 0)
        {
            throw new WasmCommandLineException(
                $"unexpected argument `{positional[0]}` in cli_args: they hold runtime flags only ({Accepted}); put the guest's arguments in inputs");
        }

        return new WasmCommandLine
        {
            Dirs = dirs,
            Env = env,
            Invoke = invoke,
            Nn = nn || graphs.Count > 0,
            NnGraphs = graphs,
            Timeout = timeout,
            MaxMemoryBytes = maxMemory,
            Module = module,
            Arguments = positional,
        };
    }

    private static (string Flag, string? Value) Split(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
        }

        // Short options take their value attached or next: -Snn, -S nn, -Wtimeout=1s.
        return arg.Length > 2 ? (arg[..2], arg[2..]) : (arg, null);
    }

    private static string CheckDir(string spec)
    {
        var parts = spec.Split("::");
        if (parts.Length > 2 || parts.Any(p => p.Length == 0))
        {
            throw new WasmCommandLineException($"--dir={spec}: write HOST_DIR or HOST_DIR::GUEST_DIR, e.g. --dir=/home/proplet/fixture::fixture");
        }

        return spec;
    }

    private static KeyValuePair<string, string> ParseEnv(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? spec : spec[..equals];
        if (name.Length == 0)
        {
            throw new WasmCommandLineException($"--env {spec}: write NAME=VALUE, or NAME to pass this process's value");
        }

        // As in wasmtime, a bare NAME passes the value the runtime itself has (nothing when unset).
        var value = equals < 0 ? Environment.GetEnvironmentVariable(name) ?? "" : spec[(equals + 1)..];
        return new(name, value);
    }

    private static void ReadWasiOption(string option, ref bool nn, List<(string, string)> graphs)
    {
        var (key, value) = SplitOption(option);
        switch (key)
        {
            case "nn" when value is null or "y" or "yes" or "true":
                nn = true;
                break;
            case "nn" when value is "n" or "no" or "false":
                nn = false;
                break;
            case "nn-graph" when value is not null && value.Split("::") is [var encoding, var directory] && encoding.Length > 0 && directory.Length > 0:
                graphs.Add((encoding, directory));
                break;
            case "nn-graph":
                throw new WasmCommandLineException($"-S {option}: write -S nn-graph=ENCODING::DIR, e.g. -S nn-graph=onnx::/models/mobilenet");
            default:
                throw new WasmCommandLineException($"unknown WASI option `-S {option}`; accepted: -S nn, -S nn-graph=ENCODING::DIR");
        }
    }

    private static void ReadWasmOption(string option, ref TimeSpan? timeout, ref ulong? maxMemory)
    {
        var (key, value) = SplitOption(option);
        switch (key)
        {
            case "timeout" when Propeller.Core.Configuration.Duration.TryParse(value, out var duration) && duration > TimeSpan.Zero:
                timeout = duration;
                break;
            case "timeout":
                throw new WasmCommandLineException($"-W {option}: write a duration such as -W timeout=30s or -W timeout=500ms");
            case "max-memory-size" when ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0:
                maxMemory = bytes;
                break;
            case "max-memory-size":
                throw new WasmCommandLineException($"-W {option}: write a number of bytes, e.g. -W max-memory-size=67108864");
            default:
                throw new WasmCommandLineException($"unknown wasm option `-W {option}`; accepted: -W timeout=DURATION, -W max-memory-size=BYTES");
        }
    }

    private static (string Key, string? Value) SplitOption(string option)
    {
        var equals = option.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (option, null) : (option[..equals], option[(equals + 1)..]);
    }
}

/// <summary>A runtime command line that cannot be read; the message says what to write instead.</summary>
public sealed class WasmCommandLineException(string message) : Exception(message);
