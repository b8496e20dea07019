namespace Propeller.Wasm.Wasi;

// path_*: every path is resolved by PathResolver from a directory descriptor, so it cannot leave that
// descriptor's preopen; the host call then gets a path with no symlink left to follow, except where the
// call itself never follows one (lstat, unlink, rmdir, rename, symlink, linkat without FOLLOW).
// Changes under a read-only preopen fail with PERM before anything is looked up.
public sealed partial class WasiPreview1
{
    private WasiErrno PathCreateDirectory(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathCreateDirectory, changes: true);
        var path = PathResolver.Resolve(directory, memory.ReadString(arguments.U32(1), arguments.U32(2)), followFinalSymlink: false);
        path.RequireName(WasiErrno.Exist);
        if (path.Exists)
        {
            return WasiErrno.Exist;
        }

        HostFileSystem.CreateDirectory(path.HostPath);
        return WasiErrno.Success;
    }

    private WasiErrno PathFilestatGet(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathFilestatGet, changes: false);
        var follow = FollowsSymlinks(arguments, 1);
        var text = memory.ReadString(arguments.U32(2), arguments.U32(3));
        var pointer = arguments.U32(4);
        memory.Slice(pointer, 64);
        var path = PathResolver.Resolve(directory, text, follow);
        var status = path.Status ?? throw new WasiErrorException(WasiErrno.Noent);
        status.WriteTo(memory, pointer);
        return WasiErrno.Success;
    }

    private WasiErrno PathFilestatSetTimes(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathFilestatSetTimes, changes: true);
        var follow = FollowsSymlinks(arguments, 1);
        var text = memory.ReadString(arguments.U32(2), arguments.U32(3));
        var flags = (WasiFstFlags)arguments.Bits(6, DefinedBits.FstFlags);
        var access = TimeChange.From(flags, WasiFstFlags.Atim, WasiFstFlags.AtimNow, arguments.U64(4));
        var modify = TimeChange.From(flags, WasiFstFlags.Mtim, WasiFstFlags.MtimNow, arguments.U64(5));
        var path = PathResolver.Resolve(directory, text, follow);
        if (!path.Exists)
        {
            return WasiErrno.Noent;
        }

        // A followed link was already replaced by its target, so the host must not follow anything.
        HostFileSystem.SetTimes(path.HostPath, followSymlink: false, access, modify);
        return WasiErrno.Success;
    }

    private WasiErrno PathLink(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var source = StartDirectory(arguments.U32(0), WasiRights.PathLinkSource, changes: false);
        var follow = FollowsSymlinks(arguments, 1);
        var sourceText = memory.ReadString(arguments.U32(2), arguments.U32(3));
        var target = StartDirectory(arguments.U32(4), WasiRights.PathLinkTarget, changes: true);
        var targetText = memory.ReadString(arguments.U32(5), arguments.U32(6));
        // A hard link out of a read-only preopen into a writable one would make its file writable.
        source.Root.RequireWritable();

        var existing = PathResolver.Resolve(source, sourceText, follow);
        if (!existing.Exists)
        {
            return WasiErrno.Noent;
        }

        if (existing.Status!.Value.IsDirectory)
        {
            return WasiErrno.Perm; // POSIX: no hard links to directories.
        }

        var created = PathResolver.Resolve(target, targetText, followFinalSymlink: false);
        created.RequireName(WasiErrno.Exist);
        if (created.Exists)
        {
            return WasiErrno.Exist;
        }

        HostFileSystem.CreateHardLink(existing.HostPath, created.HostPath);
        return WasiErrno.Success;
    }

    private WasiErrno PathReadlink(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathReadlink, changes: false);
        var text = memory.ReadString(arguments.U32(1), arguments.U32(2));
        var buffer = memory.Slice(arguments.U32(3), arguments.U32(4));
        var resultPointer = arguments.U32(5);
        memory.Slice(resultPointer, 4);
        var path = PathResolver.Resolve(directory, text, followFinalSymlink: false);
        path.RequireName(WasiErrno.Inval);
        if (path.Status is not { } status)
        {
            return WasiErrno.Noent;
        }

        if (!status.IsSymbolicLink)
        {
            return WasiErrno.Inval;
        }

        // Like readlink(2): the text as stored (it may point anywhere; reading it reaches nothing), cut to
        // the buffer. Rust's std retries with a larger buffer while the result fills it.
        var target = System.Text.Encoding.UTF8.GetBytes(PathResolver.ReadLinkText(path.HostPath));
        var length = Math.Min(target.Length, buffer.Length);
        target.AsSpan(0, length).CopyTo(buffer);
        memory.WriteUInt32(resultPointer, (uint)length);
        return WasiErrno.Success;
    }

    private WasiErrno PathRemoveDirectory(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathRemoveDirectory, changes: true);
        var path = PathResolver.Resolve(directory, memory.ReadString(arguments.U32(1), arguments.U32(2)), followFinalSymlink: false);
        // "." or "x/..": never remove a directory through a name that is not its own (nor the preopen itself).
        path.RequireName(WasiErrno.Inval);
        if (path.Status is not { } status)
        {
            return WasiErrno.Noent;
        }

        if (!status.IsDirectory)
        {
            return WasiErrno.Notdir;
        }

        HostFileSystem.RemoveDirectory(path.HostPath);
        return WasiErrno.Success;
    }

    private WasiErrno PathRename(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var source = StartDirectory(arguments.U32(0), WasiRights.PathRenameSource, changes: true);
        var sourceText = memory.ReadString(arguments.U32(1), arguments.U32(2));
        var target = StartDirectory(arguments.U32(3), WasiRights.PathRenameTarget, changes: true);
        var targetText = memory.ReadString(arguments.U32(4), arguments.U32(5));

        var from = PathResolver.Resolve(source, sourceText, followFinalSymlink: false);
        var to = PathResolver.Resolve(target, targetText, followFinalSymlink: false);
        from.RequireName(WasiErrno.Inval);
        to.RequireName(WasiErrno.Inval);
        if (from.Status is not { } status)
        {
            return WasiErrno.Noent;
        }

        if (!status.IsDirectory && to.MustBeDirectory)
        {
            return WasiErrno.Notdir;
        }

        HostFileSystem.Rename(from.HostPath, to.HostPath);
        return WasiErrno.Success;
    }

    private WasiErrno PathSymlink(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var linkText = memory.ReadString(arguments.U32(0), arguments.U32(1));
        var directory = StartDirectory(arguments.U32(2), WasiRights.PathSymlink, changes: true);
        var text = memory.ReadString(arguments.U32(3), arguments.U32(4));
        if (linkText.Length == 0)
        {
            return WasiErrno.Noent;
        }

        if (linkText.Contains('\0', StringComparison.Ordinal))
        {
            return WasiErrno.Inval;
        }

        // An absolute target names a host path, never a guest one; refusing it keeps guests from leaving
        // links to host files for the host's own tools to follow. Relative targets are stored as given:
        // following one out of the preopen is refused at lookup.
        if (linkText[0] == '/')
        {
            return WasiErrno.Notcapable;
        }

        var path = PathResolver.Resolve(directory, text, followFinalSymlink: false);
        path.RequireName(WasiErrno.Exist);
        if (path.Exists)
        {
            return WasiErrno.Exist;
        }

        HostFileSystem.CreateSymbolicLink(linkText, path.HostPath);
        return WasiErrno.Success;
    }

    private WasiErrno PathUnlinkFile(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathUnlinkFile, changes: true);
        var path = PathResolver.Resolve(directory, memory.ReadString(arguments.U32(1), arguments.U32(2)), followFinalSymlink: false);
        path.RequireName(WasiErrno.Isdir);
        if (path.Status is not { } status)
        {
            return WasiErrno.Noent;
        }

        if (status.IsDirectory)
        {
            return WasiErrno.Isdir;
        }

        HostFileSystem.Unlink(path.HostPath);
        return WasiErrno.Success;
    }

    /// <summary>
    /// The directory descriptor a path call starts from, with the right the call needs; for a call that
    /// changes the tree, PERM under a read-only preopen (checked before the path is even looked at).
    /// </summary>
    private DirectoryDescriptor StartDirectory(uint fd, WasiRights right, bool changes)
    {
        var directory = _descriptors.GetDirectory(fd);
        directory.Require(right);
        if (changes)
        {
            directory.Root.RequireWritable();
        }

        return directory;
    }

    private static bool FollowsSymlinks(ReadOnlySpan<WasmValue> arguments, int index) =>
        ((WasiLookupFlags)arguments.Bits(index, DefinedBits.LookupFlags)).HasFlag(WasiLookupFlags.SymlinkFollow);
}
