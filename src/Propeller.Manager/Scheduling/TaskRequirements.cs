namespace Propeller.Manager.Scheduling;

/// <summary>
/// What a task needs from the proplet that runs it, read from its cli_args the way wasmtime reads them:
/// <c>-S nn</c> (also <c>-Snn</c>, <c>--wasi nn</c>, <c>-S nn,threads</c>, <c>-S nn=y</c>) asks for wasi-nn;
/// <c>-S nn-graph=onnx::/dir</c> asks for wasi-nn with that graph encoding.
/// </summary>
public sealed record TaskRequirements(bool NeedsNn, IReadOnlyList<string> NnEncodings)
{
    public static readonly TaskRequirements None = new(false, []);

    public static TaskRequirements From(IReadOnlyList<string>? cliArgs)
    {
        if (cliArgs is null || cliArgs.Count == 0)
        {
            return None;
        }

        var needsNn = false;
        var encodings = new List<string>();
        for (var i = 0; i < cliArgs.Count; i++)
        {
            var value = WasiOptionValue(cliArgs, ref i);
            if (value is null)
            {
                continue;
            }

            foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (key, setting) = item.IndexOf('=') is var eq and >= 0 ? (item[..eq], item[(eq + 1)..]) : (item, "");
                if (key == "nn" && setting is not ("n" or "no" or "false"))
                {
                    needsNn = true;
                }
                else if (key == "nn-graph" && setting.IndexOf("::", StringComparison.Ordinal) is var sep and > 0)
                {
                    needsNn = true;
                    var encoding = setting[..sep].ToLowerInvariant();
                    if (!encodings.Contains(encoding))
                    {
                        encodings.Add(encoding);
                    }
                }
            }
        }

        return needsNn ? new TaskRequirements(true, encodings) : None;
    }

    /// <summary>What the task needs, in words for a waiting task's reason.</summary>
    public string Describe() => NnEncodings.Count == 0
        ? "wasi-nn (-S nn in its cli_args)"
        : $"wasi-nn with the {string.Join(" and ", NnEncodings)} graph encoding{(NnEncodings.Count > 1 ? "s" : "")} (-S nn-graph in its cli_args)";

    /// <summary>The value of a <c>-S</c>/<c>--wasi</c> option at <paramref name="i"/> (moving past a separate value), or null.</summary>
    private static string? WasiOptionValue(IReadOnlyList<string> args, ref int i)
    {
        var arg = args[i];
        if (arg is "-S" or "--wasi")
        {
            if (i + 1 >= args.Count)
            {
                return null;
            }

            i++;
            return args[i];
        }

        if (arg.StartsWith("--wasi=", StringComparison.Ordinal))
        {
            return arg["--wasi=".Length..];
        }

        return arg.StartsWith("-S", StringComparison.Ordinal) && arg.Length > 2 ? arg[2..].TrimStart('=') : null;
    }
}
