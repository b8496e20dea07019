namespace Propeller.Core.Proplets;

/// <summary>What a proplet says about itself when it announces itself (upstream's metadata fields).</summary>
public sealed class PropletMetadata
{
    public string? Description { get; set; }

    public List<string>? Tags { get; set; }

    public string? Location { get; set; }

    public string? Ip { get; set; }

    public string? Environment { get; set; }

    public string? Os { get; set; }

    public string? Hostname { get; set; }

    public string? CpuArch { get; set; }

    public long? TotalMemoryBytes { get; set; }

    public string? PropletVersion { get; set; }

    /// <summary>How the proplet runs wasm, e.g. <c>host:/usr/local/bin/wasmtime</c>.</summary>
    public string? WasmRuntime { get; set; }

    /// <summary>What <c>&lt;runtime&gt; --version</c> printed for a host runtime, or the embedded engine's version (not in upstream).</summary>
    public string? WasmRuntimeVersion { get; set; }

    /// <summary>How many tasks it runs at once (PROPLET_MAX_TASKS); absent means no limit. Not in upstream.</summary>
    public int? MaxTasks { get; set; }

    /// <summary>Its heartbeat interval (<c>"10s"</c>). Not in upstream.</summary>
    public string? LivelinessInterval { get; set; }

    /// <summary>The wasi-nn graph encodings its tasks can load, e.g. <c>["onnx"]</c> (not in upstream).</summary>
    public List<string>? NnEncodings { get; set; }

    /// <summary>The named graphs it preloaded for <c>load_by_name</c> (PROPLET_NN_GRAPHS; not in upstream).</summary>
    public List<string>? NnGraphs { get; set; }
}
