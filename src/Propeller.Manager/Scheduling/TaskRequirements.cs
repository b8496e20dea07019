using Propeller.Core.Commands;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// What a task needs from the proplet that runs it, read from its cli_args with the grammar proplets
/// use (<see cref="WasmCommandLine"/>): <c>-S nn</c> in any of wasmtime's spellings asks for wasi-nn;
/// <c>-S nn-graph=onnx::/dir</c> asks for wasi-nn with that graph encoding.
/// </summary>
public sealed record TaskRequirements(bool NeedsNn, IReadOnlyList<string> NnEncodings)
{
    public static readonly TaskRequirements None = new(false, []);

    /// <summary>
    /// The needs of <paramref name="cliArgs"/>. cli_args the grammar refuses (only a task stored before the
    /// manager checked them at creation can have such) need nothing: any proplet fails them saying why.
    /// </summary>
    public static TaskRequirements From(IReadOnlyList<string>? cliArgs)
    {
        if (cliArgs is null || cliArgs.Count == 0)
        {
            return None;
        }

        WasmCommandLine line;
        try
        {
            line = WasmCommandLine.ParseCliArgs(cliArgs);
        }
        catch (WasmCommandLineException)
        {
            return None;
        }

        if (!line.Nn)
        {
            return None;
        }

        return new TaskRequirements(true, [.. line.NnGraphs.Select(graph => graph.Encoding.ToLowerInvariant()).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>What the task needs, in words for a waiting task's reason.</summary>
    public string Describe() => NnEncodings.Count == 0
        ? "wasi-nn (-S nn in its cli_args)"
        : $"wasi-nn with the {string.Join(" and ", NnEncodings)} graph encoding{(NnEncodings.Count > 1 ? "s" : "")} (-S nn-graph in its cli_args)";
}
