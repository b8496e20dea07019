namespace Propeller.Wasm.Wasi;

/// <summary>
/// A directory inside a preopen, named by its path components below the preopen's root (each one checked
/// by <see cref="PathResolver"/> to be a real directory, not a symlink, when it was opened). Preopens are
/// directory descriptors with no components and a <see cref="PreopenName"/>.
/// </summary>
/// <remarks>
/// Unlike wasmtime, which holds an OS handle for each directory, this names the directory by path: if the
/// guest renames a directory (or one above it) while holding a descriptor for it, the descriptor then
/// refers to whatever is at the old path. Confinement does not depend on it, since every use goes through
/// the resolver again.
/// </remarks>
internal sealed class DirectoryDescriptor(
    SandboxRoot root,
    IReadOnlyList<string> components,
    WasiRights baseRights,
    WasiRights inheritingRights,
    string? preopenName = null) : WasiDescriptor(baseRights, inheritingRights)
{
    public override WasiFiletype Filetype => WasiFiletype.Directory;

    public SandboxRoot Root => root;

    /// <summary>The path from the preopen's root to this directory; empty for the preopen itself.</summary>
    public IReadOnlyList<string> Components => components;

    public string HostPath => root.HostPathOf(components);

    /// <summary>The guest path of a preopen (what fd_prestat_dir_name reports); null for directories opened later.</summary>
    public string? PreopenName => preopenName;

    /// <summary>The entries fd_readdir pages through; taken when the guest starts at cookie 0.</summary>
    public DirectoryListing? Listing { get; set; }
}
