using Microsoft.Win32.SafeHandles;

namespace Propeller.Wasm.Wasi;

// path_open: the one call that makes new descriptors. It decides the new descriptor's rights from what
// the guest asks for, what the starting directory may hand down, and what applies to the kind of file
// found; and it is the only path call where the host follows a final symlink, so a symlink there is
// either resolved first (SYMLINK_FOLLOW) or refused with LOOP, as open(2) with O_NOFOLLOW does.
public sealed partial class WasiPreview1
{
    private WasiErrno PathOpen(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        var directory = StartDirectory(arguments.U32(0), WasiRights.PathOpen, changes: false);
        var follow = FollowsSymlinks(arguments, 1);
        var text = memory.ReadString(arguments.U32(2), arguments.U32(3));
        var oflags = (WasiOFlags)arguments.Bits(4, DefinedBits.OFlags);
        // Undefined rights bits are dropped, not refused: wasi-libc asks for "everything but ...", i.e. ~mask.
        var wantedBase = (WasiRights)arguments.U64(5) & RightsSets.DirectoryInheriting;
        var wantedInheriting = (WasiRights)arguments.U64(6) & RightsSets.DirectoryInheriting;
        var fdflags = (WasiFdFlags)arguments.Bits(7, DefinedBits.FdFlags);
        var resultPointer = arguments.U32(8);
        memory.Slice(resultPointer, 4);

        var create = oflags.HasFlag(WasiOFlags.Creat);
        var exclusive = create && oflags.HasFlag(WasiOFlags.Excl);
        var truncate = oflags.HasFlag(WasiOFlags.Trunc);
        var wantsDirectory = oflags.HasFlag(WasiOFlags.Directory);
        var changesFile = truncate || (wantedBase & RightsSets.FileMutation) != 0;
        if (create)
        {
            directory.Require(WasiRights.PathCreateFile);
        }

        if (truncate)
        {
            directory.Require(WasiRights.PathFilestatSetSize);
        }

        if (create || changesFile)
        {
            directory.Root.RequireWritable();
        }

        // O_CREAT|O_EXCL never follows a final symlink (POSIX): an existing link is EXIST, whatever it points to.
        var path = PathResolver.Resolve(directory, text, follow && !exclusive);
        WasiDescriptor opened;
        if (path.Status is not { } status)
        {
            opened = CreateFile(directory, path, create, wantsDirectory, wantedBase, wantedInheriting);
        }
        else if (exclusive)
        {
            return WasiErrno.Exist;
        }
        else if (status.IsSymbolicLink)
        {
            // Only reachable without SYMLINK_FOLLOW: the link itself cannot be opened as a file.
            return WasiErrno.Loop;
        }
        else if (status.IsDirectory)
        {
            if (create || changesFile)
            {
                return WasiErrno.Isdir;
            }

            opened = new DirectoryDescriptor(
                path.Root,
                path.Components,
                Granted(directory, wantedBase, RightsSets.Directory),
                wantedInheriting & directory.InheritingRights);
        }
        else
        {
            if (wantsDirectory || path.MustBeDirectory)
            {
                return WasiErrno.Notdir;
            }

            var rights = Granted(directory, wantedBase, RightsSets.RegularFile);
            var handle = OpenHandle(path.HostPath, FileMode.Open, rights, truncate, fdflags);
            if (truncate)
            {
                RandomAccess.SetLength(handle, 0);
            }

            opened = new FileDescriptor(handle, path.HostPath, path.Root, status.Filetype, rights, wantedInheriting & directory.InheritingRights);
        }

        opened.Flags = fdflags;
        memory.WriteUInt32(resultPointer, _descriptors.Add(opened));
        return WasiErrno.Success;
    }

    /// <summary>The missing-file case of path_open: create a regular file if asked, else NOENT.</summary>
    private static FileDescriptor CreateFile(
        DirectoryDescriptor directory, ResolvedPath path, bool create, bool wantsDirectory, WasiRights wantedBase, WasiRights wantedInheriting)
    {
        if (!create)
        {
            throw new WasiErrorException(WasiErrno.Noent);
        }

        if (wantsDirectory)
        {
            throw new WasiErrorException(WasiErrno.Inval); // O_CREAT|O_DIRECTORY: directories are made with path_create_directory.
        }

        if (path.MustBeDirectory || path.Name == null)
        {
            throw new WasiErrorException(WasiErrno.Isdir); // "new/" cannot be created as a file (open(2) says EISDIR).
        }

        var rights = Granted(directory, wantedBase, RightsSets.RegularFile);
        // CreateNew is O_CREAT|O_EXCL: if something appeared at this name since the lookup (a symlink
        // planted by another process), the open fails instead of following it.
        var handle = OpenHandle(path.HostPath, FileMode.CreateNew, rights, truncate: false, WasiFdFlags.None);
        return new FileDescriptor(handle, path.HostPath, path.Root, WasiFiletype.RegularFile, rights, wantedInheriting & directory.InheritingRights);
    }

    /// <summary>
    /// The base rights of a new descriptor: what the guest asked for, narrowed to what applies to the kind
    /// of file (the spec allows dropping those silently), and refused with NOTCAPABLE if it asks for more
    /// than the starting directory may hand down.
    /// </summary>
    private static WasiRights Granted(DirectoryDescriptor directory, WasiRights wanted, WasiRights applicable)
    {
        var rights = wanted & applicable;
        if ((rights & ~directory.InheritingRights) != 0)
        {
            throw new WasiErrorException(WasiErrno.Notcapable);
        }

        return rights;
    }

    /// <summary>Opens the host file for reading and/or writing as the rights say (reading when they say neither).</summary>
    private static SafeFileHandle OpenHandle(string hostPath, FileMode mode, WasiRights rights, bool truncate, WasiFdFlags fdflags)
    {
        var write = truncate || (rights & RightsSets.FileMutation) != 0;
        var read = rights.HasFlag(WasiRights.FdRead) || !write;
        var access = (read ? FileAccess.Read : 0) | (write ? FileAccess.Write : 0);
        var options = (fdflags & (WasiFdFlags.Sync | WasiFdFlags.Dsync)) != 0 ? FileOptions.WriteThrough : FileOptions.None;
        // FileShare.ReadWrite | Delete: no advisory locks, so the guest (or the host) can open, rename and
        // unlink the file while it is open, as on POSIX.
        return File.OpenHandle(hostPath, mode, access, FileShare.ReadWrite | FileShare.Delete, options);
    }
}
