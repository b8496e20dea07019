using System.Text.Json;
using System.Text.Json.Serialization;
using Propeller.Testing;

namespace Propeller.Wasm.Tests.Tools;

/// <summary>A call of an export with its arguments.</summary>
internal sealed record ExportCall(string Name, params object[] Args);

/// <summary>What <c>run-module.mjs</c> is asked to do; see the script for the meaning of each field.</summary>
internal sealed record NodeRequest
{
    public IReadOnlyList<ExportCall>? Calls { get; init; }

    public int? Fuel { get; init; }

    public int? RefuelLimit { get; init; }

    public IReadOnlyList<string>? WasiArgs { get; init; }

    /// <summary>Node flags, e.g. to enable a proposal Node 20 keeps behind one.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> NodeFlags { get; init; } = [];
}

internal sealed record NodeError(string Kind, string Message);

/// <summary>What happened when the module ran: results of the calls, refuel calls, logged values, the error that ended it.</summary>
internal sealed record NodeReport(
    IReadOnlyList<JsonElement> Results,
    int Refuels,
    IReadOnlyList<int> Log,
    int? ExitCode,
    NodeError? Error)
{
    /// <summary>What the guest wrote to stdout (WASI commands).</summary>
    public string Stdout { get; init; } = "";

    public string Result(int call) => Results[call].ToString();
}

/// <summary>Runs a module in Node's WebAssembly engine through <c>Tools/run-module.mjs</c>.</summary>
internal static class NodeRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static NodeReport Run(byte[] module, NodeRequest request)
    {
        using var directory = new TempDirectory("propeller-node");
        var path = directory.Combine("module.wasm");
        File.WriteAllBytes(path, module);
        var script = Path.Combine(AppContext.BaseDirectory, "Tools", "run-module.mjs");
        var result = Toolchain.Run("node", ["--no-warnings", .. request.NodeFlags, script, path, JsonSerializer.Serialize(request, Json)], directory.Path);
        var line = result.Stderr.Split('\n').LastOrDefault(l => l.StartsWith("REPORT ", StringComparison.Ordinal));
        if (line is null)
        {
            Assert.Fail($"{result.Command} reported nothing (exit code {result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }

        var report = JsonSerializer.Deserialize<NodeReport>(line["REPORT ".Length..], Json)
            ?? throw new InvalidOperationException("empty report");
        return report with { Stdout = result.Stdout };
    }
}
