using Microsoft.Win32.SafeHandles;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// An open host file. The descriptor keeps its own position and does every read and write at an explicit
/// offset (<see cref="RandomAccess"/>), which is what WASI's fd_tell/fd_seek/fd_pread need and avoids a
/// buffering layer that would make pread and read disagree.
/// </summary>
internal sealed class FileDescriptor(
    SafeFileHandle handle,
    string hostPath,
    SandboxRoot root,
    WasiFiletype filetype,
    WasiRights baseRights,
    WasiRights inheritingRights) : WasiDescriptor(baseRights, inheritingRights)
{
    public override WasiFiletype Filetype => filetype;

    public SafeFileHandle Handle => handle;

    /// <summary>Where the file was opened; only for status when the host lacks fstat-like calls (macOS fallback).</summary>
    public string HostPath => hostPath;

    public SandboxRoot Root => root;

    public long Position { get; set; }

    public long Length => RandomAccess.GetLength(handle);

    public int ReadAt(Span<byte> buffer, long offset) => buffer.IsEmpty ? 0 : RandomAccess.Read(handle, buffer, offset);

    public void WriteAt(ReadOnlySpan<byte> buffer, long offset) => RandomAccess.Write(handle, buffer, offset);

    /// <summary>A write at the current position, or at the end when the descriptor is in append mode.</summary>
    public void Write(ReadOnlySpan<byte> buffer)
    {
        if (Flags.HasFlag(WasiFdFlags.Append))
        {
            Position = Length;
        }

        WriteAt(buffer, Position);
        Position += buffer.Length;
    }

    public void SetLength(long length) => RandomAccess.SetLength(handle, length);

    public void FlushToDisk() => RandomAccess.FlushToDisk(handle);

    public override void Dispose() => handle.Dispose();
}
