namespace Propeller.Wasm.Wasi;

/// <summary>
/// A host directory the guest may use, and the path the guest knows it by (wasmtime's <c>--dir</c>).
/// With <paramref name="ReadOnly"/> the guest can read beneath it but every change (create, write,
/// truncate, unlink, rename, link, symlink, set times) fails with PERM.
/// </summary>
public sealed record WasiPreopen(string HostPath, string GuestPath, bool ReadOnly = false)
{
    /// <summary>
    /// Parses wasmtime's <c>--dir</c> value: <c>HOST::GUEST</c>, or a plain <c>DIR</c> that the guest sees
    /// under the same text (so <c>--dir=.</c> gives the guest "."). The directory is checked later, when
    /// <see cref="WasiPreview1"/> is created.
    /// </summary>
    /// <exception cref="ArgumentException">The spec, its host part or its guest part is empty.</exception>
    public static WasiPreopen Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Length == 0)
        {
            throw new ArgumentException("A --dir value is empty; expected DIR or HOST::GUEST.", nameof(spec));
        }

        var separator = spec.IndexOf("::", StringComparison.Ordinal);
        if (separator < 0)
        {
            return new WasiPreopen(spec, spec);
        }

        var host = spec[..separator];
        var guest = spec[(separator + 2)..];
        if (host.Length == 0)
        {
            throw new ArgumentException($"The --dir value '{spec}' has no host directory before '::'; expected HOST::GUEST.", nameof(spec));
        }

        if (guest.Length == 0)
        {
            throw new ArgumentException($"The --dir value '{spec}' has no guest path after '::'; expected HOST::GUEST.", nameof(spec));
        }

        return new WasiPreopen(host, guest);
    }
}
