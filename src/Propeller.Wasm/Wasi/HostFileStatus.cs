namespace Propeller.Wasm.Wasi;

/// <summary>What the host knows about a file, in WASI's terms (<c>filestat</c>; times in nanoseconds since 1970).</summary>
internal readonly record struct HostFileStatus(
    ulong Device,
    ulong Inode,
    WasiFiletype Filetype,
    ulong LinkCount,
    ulong Size,
    ulong AccessTime,
    ulong ModifyTime,
    ulong ChangeTime)
{
    public bool IsDirectory => Filetype == WasiFiletype.Directory;

    public bool IsSymbolicLink => Filetype == WasiFiletype.SymbolicLink;

    /// <summary>Writes the 64-byte <c>filestat</c> record at <paramref name="pointer"/>.</summary>
    public void WriteTo(GuestMemory memory, uint pointer)
    {
        var record = memory.Slice(pointer, 64);
        record.Clear();
        memory.WriteUInt64(pointer, Device);
        memory.WriteUInt64(pointer + 8, Inode);
        memory.WriteByte(pointer + 16, (byte)Filetype);
        memory.WriteUInt64(pointer + 24, LinkCount);
        memory.WriteUInt64(pointer + 32, Size);
        memory.WriteUInt64(pointer + 40, AccessTime);
        memory.WriteUInt64(pointer + 48, ModifyTime);
        memory.WriteUInt64(pointer + 56, ChangeTime);
    }
}
