namespace Propeller.Wasm.Wasi;

// Reading, writing and positioning: fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell, and
// fd_readdir. A descriptor opened without FD_READ/FD_WRITE fails with BADF, as read(2)/write(2) do on a
// descriptor opened the other way (and as wasmtime reports it); streams cannot seek (SPIPE).
public sealed partial class WasiPreview1
{
    private WasiErrno FdRead(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, vectors, count, resultPointer) = (arguments.U32(0), arguments.U32(1), arguments.U32(2), arguments.U32(3));
        var descriptor = _descriptors.Get(fd);
        CheckVectorsAndResult(memory, vectors, count, resultPointer);
        uint total;
        switch (descriptor)
        {
            case StreamDescriptor { IsInput: true } stdin:
                total = ScatterRead(memory, vectors, count, stdin.Read);
                break;
            case FileDescriptor file:
                RequireData(file, WasiRights.FdRead);
                total = ScatterRead(memory, vectors, count, buffer =>
                {
                    var read = file.ReadAt(buffer, file.Position);
                    file.Position += read;
                    return read;
                });
                break;
            case DirectoryDescriptor:
                return WasiErrno.Isdir;
            default:
                return WasiErrno.Badf;
        }

        memory.WriteUInt32(resultPointer, total);
        return WasiErrno.Success;
    }

    private WasiErrno FdWrite(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, vectors, count, resultPointer) = (arguments.U32(0), arguments.U32(1), arguments.U32(2), arguments.U32(3));
        var descriptor = _descriptors.Get(fd);
        CheckVectorsAndResult(memory, vectors, count, resultPointer);
        uint total;
        switch (descriptor)
        {
            case StreamDescriptor { IsInput: false } output:
                total = GatherWrite(memory, vectors, count, output.Write);
                output.Flush();
                break;
            case FileDescriptor file:
                RequireData(file, WasiRights.FdWrite);
                total = GatherWrite(memory, vectors, count, file.Write);
                SyncIfAsked(file);
                break;
            default:
                return WasiErrno.Badf;
        }

        memory.WriteUInt32(resultPointer, total);
        return WasiErrno.Success;
    }

    private WasiErrno FdPread(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, vectors, count, offset, resultPointer) = (arguments.U32(0), arguments.U32(1), arguments.U32(2), arguments.U64(3), arguments.U32(4));
        var file = PositionedFile(fd, WasiRights.FdRead);
        CheckVectorsAndResult(memory, vectors, count, resultPointer);
        var position = Offset(offset);
        var total = ScatterRead(memory, vectors, count, buffer =>
        {
            var read = file.ReadAt(buffer, position);
            position += read;
            return read;
        });
        memory.WriteUInt32(resultPointer, total);
        return WasiErrno.Success;
    }

    private WasiErrno FdPwrite(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, vectors, count, offset, resultPointer) = (arguments.U32(0), arguments.U32(1), arguments.U32(2), arguments.U64(3), arguments.U32(4));
        var file = PositionedFile(fd, WasiRights.FdWrite);
        CheckVectorsAndResult(memory, vectors, count, resultPointer);
        var position = Offset(offset);
        var total = GatherWrite(memory, vectors, count, buffer =>
        {
            file.WriteAt(buffer, position);
            position += buffer.Length;
        });
        SyncIfAsked(file);
        memory.WriteUInt32(resultPointer, total);
        return WasiErrno.Success;
    }

    private WasiErrno FdSeek(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, delta, whence, resultPointer) = (arguments.U32(0), arguments.I64(1), arguments.U8(2), arguments.U32(3));
        var file = SeekableFile(fd);
        // FD_TELL is enough for a seek that does not move (how lseek(fd, 0, SEEK_CUR) asks for the position).
        var onlyAsksPosition = whence == (byte)WasiWhence.Cur && delta == 0;
        if (!file.BaseRights.HasFlag(WasiRights.FdSeek) && !(onlyAsksPosition && file.BaseRights.HasFlag(WasiRights.FdTell)))
        {
            return WasiErrno.Notcapable;
        }

        memory.Slice(resultPointer, 8);
        var origin = (WasiWhence)whence switch
        {
            WasiWhence.Set => 0,
            WasiWhence.Cur => file.Position,
            WasiWhence.End => file.Length,
            _ => throw new WasiErrorException(WasiErrno.Inval),
        };
        if ((delta > 0 && origin > long.MaxValue - delta) || origin + delta < 0)
        {
            return WasiErrno.Inval;
        }

        file.Position = origin + delta;
        memory.WriteUInt64(resultPointer, (ulong)file.Position);
        return WasiErrno.Success;
    }

    private WasiErrno FdTell(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var file = SeekableFile(arguments.U32(0));
        if ((file.BaseRights & (WasiRights.FdTell | WasiRights.FdSeek)) == 0)
        {
            return WasiErrno.Notcapable;
        }

        memory.WriteUInt64(arguments.U32(1), (ulong)file.Position);
        return WasiErrno.Success;
    }

    private WasiErrno FdReaddir(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var (fd, buffer, length, cookie, resultPointer) = (arguments.U32(0), arguments.U32(1), arguments.U32(2), arguments.U64(3), arguments.U32(4));
        var directory = _descriptors.GetDirectory(fd);
        directory.Require(WasiRights.FdReaddir);
        var target = memory.Slice(buffer, length);
        memory.Slice(resultPointer, 4);
        if (cookie == 0 || directory.Listing == null)
        {
            directory.Listing = DirectoryListing.Read(directory);
        }

        var used = directory.Listing.WriteEntries(target, cookie);
        memory.WriteUInt32(resultPointer, (uint)used);
        return WasiErrno.Success;
    }

    private static void CheckVectorsAndResult(GuestMemory memory, uint vectors, uint count, uint resultPointer)
    {
        memory.CheckIoVectors(vectors, count);
        memory.Slice(resultPointer, 4);
    }

    /// <summary>A read or write without the right is BADF (POSIX's answer for a descriptor opened the other way).</summary>
    private static void RequireData(WasiDescriptor descriptor, WasiRights right)
    {
        if (!descriptor.BaseRights.HasFlag(right))
        {
            throw new WasiErrorException(WasiErrno.Badf);
        }
    }

    /// <summary>The file for fd_pread/fd_pwrite: SPIPE on a stream, ISDIR on a directory, and FD_SEEK needed as witx says.</summary>
    private FileDescriptor PositionedFile(uint fd, WasiRights dataRight)
    {
        var file = SeekableFile(fd);
        RequireData(file, dataRight);
        file.Require(WasiRights.FdSeek);
        return file;
    }

    private FileDescriptor SeekableFile(uint fd) => _descriptors.Get(fd) switch
    {
        FileDescriptor file => file,
        StreamDescriptor => throw new WasiErrorException(WasiErrno.Spipe),
        DirectoryDescriptor => throw new WasiErrorException(WasiErrno.Isdir),
        _ => throw new WasiErrorException(WasiErrno.Badf),
    };

    private static long Offset(ulong offset) =>
        offset <= long.MaxValue ? (long)offset : throw new WasiErrorException(WasiErrno.Inval);

    private static void SyncIfAsked(FileDescriptor file)
    {
        if ((file.Flags & (WasiFdFlags.Sync | WasiFdFlags.Dsync)) != 0)
        {
            file.FlushToDisk();
        }
    }

    /// <summary>Reads into each iovec in turn until one is not filled (like readv); returns the bytes read.</summary>
    private static uint ScatterRead(GuestMemory memory, uint vectors, uint count, ReadInto read)
    {
        uint total = 0;
        for (uint i = 0; i < count; i++)
        {
            var vector = memory.ReadIoVector(vectors, i);
            var room = Math.Min(vector.Length, uint.MaxValue - total);
            var got = read(memory.Slice(vector.Pointer, room));
            total += (uint)got;
            if (got < room || room < vector.Length)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Writes every iovec in order (like writev); returns the bytes written.</summary>
    private static uint GatherWrite(GuestMemory memory, uint vectors, uint count, WriteFrom write)
    {
        uint total = 0;
        for (uint i = 0; i < count; i++)
        {
            var vector = memory.ReadIoVector(vectors, i);
            var length = Math.Min(vector.Length, uint.MaxValue - total);
            write(memory.Slice(vector.Pointer, length));
            total += length;
        }

        return total;
    }

    private delegate int ReadInto(Span<byte> buffer);

    private delegate void WriteFrom(ReadOnlySpan<byte> buffer);
}
