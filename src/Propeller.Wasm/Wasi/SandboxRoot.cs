namespace Propeller.Wasm.Wasi;

/// <summary>
/// One preopened host directory: the boundary no path from the guest may cross. Every directory and file
/// descriptor opened beneath a preopen keeps a reference to its root, so that "read-only" and the
/// confinement check apply to everything reached through it.
/// </summary>
internal sealed class SandboxRoot(string hostPath, bool readOnly)
{
    /// <summary>Absolute host path of the preopened directory, without a trailing separator.</summary>
    public string HostPath { get; } = hostPath;

    public bool ReadOnly { get; } = readOnly;

    /// <summary>The host path of <paramref name="components"/> below the root (already checked to stay inside).</summary>
    public string HostPathOf(IReadOnlyList<string> components) =>
        components.Count == 0 ? HostPath : HostPath.TrimEnd('/') + "/" + string.Join('/', components);

    /// <summary>Refuses a change under a read-only preopen with PERM, as wasmtime does for a read-only --dir.</summary>
    public void RequireWritable()
    {
        if (ReadOnly)
        {
            throw new WasiErrorException(WasiErrno.Perm);
        }
    }
}
