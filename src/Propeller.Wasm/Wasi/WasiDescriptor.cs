namespace Propeller.Wasm.Wasi;

/// <summary>
/// What a guest's file descriptor number stands for: a host stream (stdio), an open file, or a directory
/// inside a preopen. Every descriptor carries WASI rights; operations check them here so that a
/// descriptor opened for reading cannot be written through, whatever the guest claims.
/// </summary>
internal abstract class WasiDescriptor : IDisposable
{
    protected WasiDescriptor(WasiRights baseRights, WasiRights inheritingRights)
    {
        BaseRights = baseRights;
        InheritingRights = inheritingRights;
    }

    public abstract WasiFiletype Filetype { get; }

    public WasiRights BaseRights { get; private set; }

    public WasiRights InheritingRights { get; private set; }

    public WasiFdFlags Flags { get; set; }

    /// <summary>Fails with NOTCAPABLE unless the descriptor holds every right in <paramref name="rights"/>.</summary>
    public void Require(WasiRights rights)
    {
        if ((BaseRights & rights) != rights)
        {
            throw new WasiErrorException(WasiErrno.Notcapable);
        }
    }

    /// <summary><c>fd_fdstat_set_rights</c>: rights can only be dropped, never regained.</summary>
    public void NarrowRights(WasiRights baseRights, WasiRights inheritingRights)
    {
        if ((baseRights & ~BaseRights) != 0 || (inheritingRights & ~InheritingRights) != 0)
        {
            throw new WasiErrorException(WasiErrno.Notcapable);
        }

        BaseRights = baseRights;
        InheritingRights = inheritingRights;
    }

    /// <summary>Writes the 24-byte <c>fdstat</c> record.</summary>
    public void WriteFdstat(GuestMemory memory, uint pointer)
    {
        memory.Slice(pointer, 24).Clear();
        memory.WriteByte(pointer, (byte)Filetype);
        memory.WriteUInt16(pointer + 2, (ushort)Flags);
        memory.WriteUInt64(pointer + 8, (ulong)BaseRights);
        memory.WriteUInt64(pointer + 16, (ulong)InheritingRights);
    }

    public virtual void Dispose()
    {
    }
}
