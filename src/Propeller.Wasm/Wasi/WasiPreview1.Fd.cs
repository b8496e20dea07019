using System.Text;

namespace Propeller.Wasm.Wasi;

// Descriptor housekeeping: closing, renumbering, fdstat (type, flags, rights), filestat, the preopen
// queries wasi-libc makes at startup, and advise/allocate/sync.
public sealed partial class WasiPreview1
{
    private WasiErrno FdClose(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        _descriptors.Close(arguments.U32(0));
        return WasiErrno.Success;
    }

    private WasiErrno FdRenumber(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        _descriptors.Renumber(arguments.U32(0), arguments.U32(1));
        return WasiErrno.Success;
    }

    private WasiErrno FdFdstatGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        _descriptors.Get(arguments.U32(0)).WriteFdstat(memory, arguments.U32(1));
        return WasiErrno.Success;
    }

    private WasiErrno FdFdstatSetFlags(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var descriptor = _descriptors.Get(arguments.U32(0));
        var flags = (WasiFdFlags)arguments.Bits(1, DefinedBits.FdFlags);
        descriptor.Require(WasiRights.FdFdstatSetFlags);
        descriptor.Flags = flags;
        return WasiErrno.Success;
    }

    private WasiErrno FdFdstatSetRights(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        _descriptors.Get(arguments.U32(0)).NarrowRights((WasiRights)arguments.U64(1), (WasiRights)arguments.U64(2));
        return WasiErrno.Success;
    }

    private WasiErrno FdFilestatGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var descriptor = _descriptors.Get(arguments.U32(0));
        descriptor.Require(WasiRights.FdFilestatGet);
        var pointer = arguments.U32(1);
        memory.Slice(pointer, 64);
        var status = descriptor switch
        {
            FileDescriptor file => HostFileSystem.GetStatus(file.Handle, file.HostPath),
            DirectoryDescriptor directory => HostFileSystem.TryGetStatus(directory.HostPath, followSymlink: false)
                ?? throw new WasiErrorException(WasiErrno.Noent),
            // A host stream has no inode or times to show; wasmtime reports zeros for piped stdio too.
            _ => new HostFileStatus(0, 0, descriptor.Filetype, 0, 0, 0, 0, 0),
        };
        status.WriteTo(memory, pointer);
        return WasiErrno.Success;
    }

    private WasiErrno FdFilestatSetSize(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var file = WritableFile(arguments.U32(0), WasiRights.FdFilestatSetSize);
        file.SetLength(Length(arguments.U64(1)));
        return WasiErrno.Success;
    }

    private WasiErrno FdFilestatSetTimes(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var descriptor = _descriptors.Get(arguments.U32(0));
        var flags = (WasiFstFlags)arguments.Bits(3, DefinedBits.FstFlags);
        var access = TimeChange.From(flags, WasiFstFlags.Atim, WasiFstFlags.AtimNow, arguments.U64(1));
        var modify = TimeChange.From(flags, WasiFstFlags.Mtim, WasiFstFlags.MtimNow, arguments.U64(2));
        descriptor.Require(WasiRights.FdFilestatSetTimes);
        switch (descriptor)
        {
            case FileDescriptor file:
                file.Root.RequireWritable();
                HostFileSystem.SetTimes(file.Handle, file.HostPath, access, modify);
                break;
            case DirectoryDescriptor directory:
                directory.Root.RequireWritable();
                HostFileSystem.SetTimes(directory.HostPath, followSymlink: false, access, modify);
                break;
            default:
                return WasiErrno.Badf;
        }

        return WasiErrno.Success;
    }

    private WasiErrno FdPrestatGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var name = PreopenName(arguments.U32(0));
        var pointer = arguments.U32(1);
        // prestat: tag u8 @0 (0 = directory), then the union aligned to 4: pr_name_len u32 @4.
        memory.Slice(pointer, 8).Clear();
        memory.WriteUInt32(pointer + 4, (uint)Encoding.UTF8.GetByteCount(name));
        return WasiErrno.Success;
    }

    private WasiErrno FdPrestatDirName(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var name = Encoding.UTF8.GetBytes(PreopenName(arguments.U32(0)));
        var length = arguments.U32(2);
        if (length < name.Length)
        {
            return WasiErrno.Nametoolong;
        }

        // Exactly the name, no NUL: wasi-libc allocates pr_name_len + 1 and terminates it itself.
        name.CopyTo(memory.Slice(arguments.U32(1), (uint)name.Length));
        return WasiErrno.Success;
    }

    private WasiErrno FdAdvise(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var file = SeekableFile(arguments.U32(0));
        if (arguments.U8(3) > (byte)WasiAdvice.Noreuse)
        {
            return WasiErrno.Inval;
        }

        // Advice is only a hint; the host's page cache does its own read-ahead.
        file.Require(WasiRights.FdAdvise);
        return WasiErrno.Success;
    }

    private WasiErrno FdAllocate(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var file = WritableFile(arguments.U32(0), WasiRights.FdAllocate);
        var (offset, length) = (arguments.U64(1), arguments.U64(2));
        if (offset > long.MaxValue || length > long.MaxValue - offset)
        {
            return WasiErrno.Fbig;
        }

        // Grow the file to cover the range (posix_fallocate's visible effect); never shrink it.
        var end = (long)(offset + length);
        if (file.Length < end)
        {
            file.SetLength(end);
        }

        return WasiErrno.Success;
    }

    private WasiErrno FdDatasync(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => Sync(arguments.U32(0), WasiRights.FdDatasync);

    private WasiErrno FdSync(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => Sync(arguments.U32(0), WasiRights.FdSync);

    private WasiErrno Sync(uint fd, WasiRights right)
    {
        var descriptor = _descriptors.Get(fd);
        descriptor.Require(right);
        switch (descriptor)
        {
            case FileDescriptor file:
                file.FlushToDisk();
                break;
            case StreamDescriptor stream:
                stream.Flush();
                break;
            default:
                // A directory's entries are made durable by the host file system's own journal; nothing to flush here.
                break;
        }

        return WasiErrno.Success;
    }

    private string PreopenName(uint fd) =>
        (_descriptors.Get(fd) as DirectoryDescriptor)?.PreopenName ?? throw new WasiErrorException(WasiErrno.Badf);

    /// <summary>A file that the guest changes through the descriptor: the right, and a writable preopen.</summary>
    private FileDescriptor WritableFile(uint fd, WasiRights right)
    {
        var file = _descriptors.Get(fd) switch
        {
            FileDescriptor found => found,
            DirectoryDescriptor => throw new WasiErrorException(WasiErrno.Isdir),
            _ => throw new WasiErrorException(WasiErrno.Badf),
        };
        file.Require(right);
        file.Root.RequireWritable();
        return file;
    }

    private static long Length(ulong size) =>
        size <= long.MaxValue ? (long)size : throw new WasiErrorException(WasiErrno.Fbig);
}
