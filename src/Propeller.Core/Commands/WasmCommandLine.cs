using System.Globalization;
using Propeller.Core.Configuration;

namespace Propeller.Core.Commands;

/// <summary>
/// The part of wasmtime's command line that the seeds and upstream use, read the same way by
/// <c>propeller-wasm</c>, by the manager (a task's <c>cli_args</c> are checked when the task is created)
/// and by both of the proplet's runtimes, so one task definition runs on either:
/// <c>[run] [-S nn] [-S nn-graph=ENC::DIR] [--dir=HOST[::GUEST]] [--env K[=V]] [--invoke NAME]
/// [-W timeout=DURATION] [-W max-memory-size=BYTES] [--] [file.wasm [args…]]</c>, also spelled as
/// wasmtime spells them: <c>--wasi</c> for <c>-S</c>, <c>--wasm</c> for <c>-W</c>, values attached
/// (<c>-Snn</c>, <c>-S=nn</c>, <c>--dir=X</c>) or next (<c>--dir X</c>), and wasmtime 13's
/// <c>--wasi-modules=experimental-wasi-nn</c> for <c>-S nn</c>.
/// Anything else is refused with a message naming what is accepted: silence would run a task
/// differently from what its author asked, and passing it on would hand a task whatever power an
/// unknown runtime flag gives (<c>-S inherit-env</c>, <c>-S inherit-network</c>…).
/// </summary>
public sealed record WasmCommandLine
{
    /// <summary>The flags this grammar accepts, for error messages and <c>--help</c>.</summary>
    public const string Accepted =
        "-S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME[=VALUE], --invoke NAME, -W timeout=DURATION, -W max-memory-size=BYTES";

    /// <summary>The flags a task's cli_args may hold (a bare <c>--env NAME</c> would read the proplet's own environment).</summary>
    public const string AcceptedInCliArgs =
        "-S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME=VALUE, --invoke NAME, -W timeout=DURATION, -W max-memory-size=BYTES";

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
    public static WasmCommandLine Parse(IReadOnlyList<string> args, bool expectModule) =>
        Parse(args, expectModule, forTask: false);

    /// <summary>
    /// Reads a task's <c>cli_args</c>: flags only, and every <c>--env</c> with its value, because a bare
    /// <c>--env NAME</c> would hand the guest the value the proplet itself has (its MQTT key, say).
    /// </summary>
    public static WasmCommandLine ParseCliArgs(IReadOnlyList<string> cliArgs) => Parse(cliArgs, expectModule: false, forTask: true);

    /// <summary>
    /// The flags that ask an external wasmtime-compatible runtime for exactly this line, in wasmtime's
    /// current spelling (durations in milliseconds, which every wasmtime reads). The module and its
    /// arguments are not included.
    /// </summary>
    public IReadOnlyList<string> ToArguments()
    {
        var arguments = new List<string>();
        if (Nn)
        {
            arguments.AddRange(["-S", "nn"]);
        }

        foreach (var (encoding, directory) in NnGraphs)
        {
            arguments.AddRange(["-S", $"nn-graph={encoding}::{directory}"]);
        }

        arguments.AddRange(Dirs.Select(dir => $"--dir={dir}"));
        foreach (var (name, value) in Env)
        {
            arguments.AddRange(["--env", $"{name}={value}"]);
        }

        if (Invoke is not null)
        {
            arguments.AddRange(["--invoke", Invoke]);
        }

        if (Timeout is { } timeout)
        {
            var milliseconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
            arguments.AddRange(["-W", $"timeout={milliseconds.ToString(CultureInfo.InvariantCulture)}ms"]);
        }

        if (MaxMemoryBytes is { } bytes)
        {
            arguments.AddRange(["-W", $"max-memory-size={bytes.ToString(CultureInfo.InvariantCulture)}"]);
        }

        return arguments;
    }

    /// <summary>A <c>--dir</c> value's host directory and the path the guest sees it under (<c>DIR</c> alone: the same text).</summary>
    public static (string Host, string Guest) SplitDir(string spec)
    {
        var separator = spec.IndexOf("::", StringComparison.Ordinal);
        return separator < 0 ? (spec, spec) : (spec[..separator], spec[(separator + 2)..]);
    }

    private static WasmCommandLine Parse(IReadOnlyList<string> args, bool expectModule, bool forTask)
    {
        var accepted = forTask ? AcceptedInCliArgs : Accepted;
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
                    env.Add(ParseEnv(Value(), forTask));
                    break;
                case "--invoke":
                    invoke = Value();
                    if (invoke.Length == 0)
                    {
                        throw new WasmCommandLineException("--invoke needs the name of an exported function");
                    }

                    break;
                case "-S" or "--wasi":
                    foreach (var option in Value().Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        ReadWasiOption(option, ref nn, graphs);
                    }

                    break;
                case "-W" or "--wasm":
                    foreach (var option in Value().Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        ReadWasmOption(option, ref timeout, ref maxMemory);
                    }

                    break;
                case "--wasi-modules":
                    ReadWasiModules(Value(), ref nn);
                    break;
                default:
                    throw new WasmCommandLineException($"unknown option `{arg}`; accepted: {accepted}");
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
                $"unexpected argument `{positional[0]}` in cli_args: they hold runtime flags only ({accepted}); put the guest's arguments in inputs");
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

        // Short options take their value attached or next, as clap reads them: -Snn, -S=nn, -S nn, -Wtimeout=1s.
        if (arg.Length <= 2)
        {
            return (arg, null);
        }

        return arg[2] == '=' ? (arg[..2], arg[3..]) : (arg[..2], arg[2..]);
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

    private static KeyValuePair<string, string> ParseEnv(string spec, bool forTask)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? spec : spec[..equals];
        if (name.Length == 0)
        {
            throw new WasmCommandLineException($"--env {spec}: write NAME=VALUE, or NAME to pass this process's value");
        }

        if (equals < 0 && forTask)
        {
            throw new WasmCommandLineException(
                $"--env {spec}: a task gives every variable its value (--env {spec}=VALUE, or the task's env); a bare name would pass the proplet's own {spec}");
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

    /// <summary>wasmtime 13 and older enabled wasi-nn with <c>--wasi-modules=experimental-wasi-nn</c> (upstream's older guide); it means <c>-S nn</c>.</summary>
    private static void ReadWasiModules(string value, ref bool nn)
    {
        foreach (var module in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (module != "experimental-wasi-nn")
            {
                throw new WasmCommandLineException(
                    $"--wasi-modules={value}: only experimental-wasi-nn is read (as -S nn, wasmtime 14's spelling); accepted: {AcceptedInCliArgs}");
            }

            nn = true;
        }
    }

    private static void ReadWasmOption(string option, ref TimeSpan? timeout, ref ulong? maxMemory)
    {
        var (key, value) = SplitOption(option);
        switch (key)
        {
            case "timeout" when Duration.TryParse(value, out var duration) && duration > TimeSpan.Zero:
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
