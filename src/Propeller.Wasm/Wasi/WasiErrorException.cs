namespace Propeller.Wasm.Wasi;

/// <summary>
/// A WASI call fails with <see cref="Errno"/>. Thrown anywhere below a host function (path resolution,
/// descriptor lookup, rights checks) and turned into the function's result by the one wrapper in
/// <see cref="WasiPreview1"/>; it never reaches the engine.
/// </summary>
internal sealed class WasiErrorException(WasiErrno errno) : Exception($"WASI error {errno}.")
{
    public WasiErrno Errno { get; } = errno;
}
