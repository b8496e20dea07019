namespace Propeller.Wasm.Wasi;

/// <summary>
/// A guest path after <see cref="PathResolver"/> has walked it: a location below a preopen's root that
/// is known to stay inside it. <see cref="Name"/> is the last component when the path ends in an ordinary
/// name; it is null when the path ends in <c>.</c>, <c>..</c> or a symlink to its own directory, i.e. it
/// names a directory reached through other entries, which cannot be created, removed or renamed as such.
/// </summary>
internal sealed record ResolvedPath(
    SandboxRoot Root,
    IReadOnlyList<string> Components,
    string? Name,
    HostFileStatus? Status,
    bool MustBeDirectory)
{
    /// <summary>The host path; hand it to the OS only for operations that do not follow a final symlink, or after checking it is none.</summary>
    public string HostPath => Root.HostPathOf(Components);

    public bool Exists => Status != null;

    /// <summary>The last component, or <paramref name="whenDirectoryReference"/> for paths like <c>a/..</c>.</summary>
    public string RequireName(WasiErrno whenDirectoryReference) =>
        Name ?? throw new WasiErrorException(whenDirectoryReference);
}
