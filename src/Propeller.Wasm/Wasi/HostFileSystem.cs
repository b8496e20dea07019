using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// The few POSIX calls WASI needs and .NET does not offer with POSIX semantics: stat without following
/// a symlink (with inode, link count and nanosecond times), mkdir/rmdir/unlink/rename/symlink that fail
/// with the exact errno instead of .NET's "create all parents" or "ignore a missing file", hard links,
/// and setting one timestamp at a time. Every path given here has already been confined by
/// <see cref="PathResolver"/>; nothing in this class decides what the guest may reach.
/// </summary>
/// <remarks>
/// The functions come from the C library the runtime process already has loaded (found through the main
/// program's handle), so there is no library-name guessing ("libc" vs "libc.so.6" vs musl). Constants
/// that differ between Linux and macOS are chosen per OS; the Linux values are checked against the
/// kernel and glibc headers and run by the tests, the macOS values are Darwin's as recalled and untested. When <c>statx</c> is missing (macOS, very old glibc), status comes from
/// .NET's <see cref="FileSystemInfo"/>, which has no inode or link count (they read as 0 and 1).
/// </remarks>
internal static unsafe class HostFileSystem
{
    private static readonly bool IsMac = OperatingSystem.IsMacOS();
    private static readonly int AtFdCwd = IsMac ? -2 : -100;
    private static readonly int AtSymlinkNofollow = IsMac ? 0x20 : 0x100;
    private static readonly long UtimeNow = IsMac ? -1 : (1L << 30) - 1;
    private static readonly long UtimeOmit = IsMac ? -2 : (1L << 30) - 2;
    private const int AtEmptyPath = 0x1000; // Linux only: statx on the descriptor itself.
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The status of <paramref name="path"/>, or null when nothing is there (ENOENT, or ENOTDIR for a component).</summary>
    public static HostFileStatus? TryGetStatus(string path, bool followSymlink)
    {
        if (Native.Statx != null)
        {
            var buffer = stackalloc byte[256];
            int result;
            using (var native = new NativePath(path))
            {
                result = Native.Statx(AtFdCwd, native.Pointer, followSymlink ? 0 : AtSymlinkNofollow, StatxBasicStats, buffer);
            }

            if (result == 0)
            {
                return FromStatx(buffer);
            }

            var errno = Marshal.GetLastSystemError();
            var wasi = HostErrors.FromHostErrno(errno);
            return wasi is WasiErrno.Noent or WasiErrno.Notdir ? null : throw new WasiErrorException(wasi);
        }

        return ManagedStatus(path, followSymlink);
    }

    /// <summary>The status of an open file (fstat), falling back to its path when statx is unavailable.</summary>
    public static HostFileStatus GetStatus(SafeFileHandle handle, string path)
    {
        if (Native.Statx != null && !IsMac)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var buffer = stackalloc byte[256];
                byte empty = 0;
                var result = Native.Statx((int)handle.DangerousGetHandle(), &empty, AtEmptyPath, StatxBasicStats, buffer);
                if (result == 0)
                {
                    return FromStatx(buffer);
                }

                throw new WasiErrorException(HostErrors.FromHostErrno(Marshal.GetLastSystemError()));
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return ManagedStatus(path, followSymlink: true) ?? throw new WasiErrorException(WasiErrno.Noent);
    }

    /// <summary>mkdir(2): fails with EEXIST when anything is already there, unlike Directory.CreateDirectory.</summary>
    public static void CreateDirectory(string path)
    {
        using var native = new NativePath(path);
        Check(Native.Mkdir(native.Pointer, 0x1ff)); // 0777, narrowed by the host's umask as any mkdir.
    }

    /// <summary>rmdir(2): only an empty directory, never a symlink to one.</summary>
    public static void RemoveDirectory(string path)
    {
        using var native = new NativePath(path);
        Check(Native.Rmdir(native.Pointer));
    }

    /// <summary>unlink(2): removes a file or a symlink (never its target); ENOENT when missing, unlike File.Delete.</summary>
    public static void Unlink(string path)
    {
        using var native = new NativePath(path);
        Check(Native.Unlink(native.Pointer));
    }

    /// <summary>rename(2): atomically replaces a file or an empty directory, as POSIX programs expect.</summary>
    public static void Rename(string from, string to)
    {
        using var nativeFrom = new NativePath(from);
        using var nativeTo = new NativePath(to);
        Check(Native.Rename(nativeFrom.Pointer, nativeTo.Pointer));
    }

    /// <summary>symlink(2): <paramref name="target"/> is stored as given (it is only text until someone follows it).</summary>
    public static void CreateSymbolicLink(string target, string linkPath)
    {
        using var nativeTarget = new NativePath(target);
        using var nativeLink = new NativePath(linkPath);
        Check(Native.Symlink(nativeTarget.Pointer, nativeLink.Pointer));
    }

    /// <summary>
    /// linkat(2) without AT_SYMLINK_FOLLOW: a link to exactly <paramref name="existing"/>, even when it is a
    /// symlink (plain link(2) follows symlinks on macOS, which could link a file outside the sandbox).
    /// </summary>
    public static void CreateHardLink(string existing, string newPath)
    {
        if (Native.Linkat == null)
        {
            throw new WasiErrorException(WasiErrno.Notsup);
        }

        using var nativeExisting = new NativePath(existing);
        using var nativeNew = new NativePath(newPath);
        Check(Native.Linkat(AtFdCwd, nativeExisting.Pointer, AtFdCwd, nativeNew.Pointer, 0));
    }

    /// <summary>utimensat(2): sets either, both or none of the times; "now" and "leave alone" are per time.</summary>
    public static void SetTimes(string path, bool followSymlink, TimeChange access, TimeChange modify)
    {
        if (Native.Utimensat == null)
        {
            SetTimesManaged(path, access, modify);
            return;
        }

        var times = stackalloc long[4];
        Fill(times, access, modify);
        using var native = new NativePath(path);
        Check(Native.Utimensat(AtFdCwd, native.Pointer, times, followSymlink ? 0 : AtSymlinkNofollow));
    }

    /// <summary>futimens(2) on an open file.</summary>
    public static void SetTimes(SafeFileHandle handle, string path, TimeChange access, TimeChange modify)
    {
        if (Native.Futimens == null)
        {
            SetTimesManaged(path, access, modify);
            return;
        }

        var times = stackalloc long[4];
        Fill(times, access, modify);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            Check(Native.Futimens((int)handle.DangerousGetHandle(), times));
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static void Fill(long* times, TimeChange access, TimeChange modify)
    {
        // struct timespec[2] as { long tv_sec; long tv_nsec; } — 64-bit Linux and macOS alike.
        Set(times, access);
        Set(times + 2, modify);

        static void Set(long* timespec, TimeChange change)
        {
            timespec[0] = 0;
            timespec[1] = change.Kind switch
            {
                TimeChangeKind.Now => UtimeNow,
                TimeChangeKind.Omit => UtimeOmit,
                _ => (long)(change.Nanoseconds % 1_000_000_000),
            };
            if (change.Kind == TimeChangeKind.Set)
            {
                timespec[0] = (long)(change.Nanoseconds / 1_000_000_000);
            }
        }
    }

    private static void SetTimesManaged(string path, TimeChange access, TimeChange modify)
    {
        if (access.Kind != TimeChangeKind.Omit)
        {
            File.SetLastAccessTimeUtc(path, access.ToDateTime());
        }

        if (modify.Kind != TimeChangeKind.Omit)
        {
            File.SetLastWriteTimeUtc(path, modify.ToDateTime());
        }
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new WasiErrorException(HostErrors.FromHostErrno(Marshal.GetLastSystemError()));
        }
    }

    private static HostFileStatus FromStatx(byte* buffer)
    {
        var mode = *(ushort*)(buffer + 28);
        var devMajor = *(uint*)(buffer + 136);
        var devMinor = *(uint*)(buffer + 140);
        return new HostFileStatus(
            Device: MakeDevice(devMajor, devMinor),
            Inode: *(ulong*)(buffer + 32),
            Filetype: FiletypeFromMode(mode),
            LinkCount: *(uint*)(buffer + 16),
            Size: *(ulong*)(buffer + 40),
            AccessTime: Nanoseconds(buffer + 64),
            ModifyTime: Nanoseconds(buffer + 112),
            ChangeTime: Nanoseconds(buffer + 96));

        static ulong Nanoseconds(byte* timestamp)
        {
            var seconds = *(long*)timestamp;
            var nanoseconds = *(uint*)(timestamp + 8);
            return seconds < 0 ? 0 : ((ulong)seconds * 1_000_000_000) + nanoseconds;
        }
    }

    /// <summary>glibc's makedev, so st_dev reads the same inside the guest as in <c>stat</c> on the host.</summary>
    private static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    private static WasiFiletype FiletypeFromMode(ushort mode) => (mode & 0xF000) switch
    {
        0x1000 => WasiFiletype.Unknown,          // FIFO: WASI has no type for it.
        0x2000 => WasiFiletype.CharacterDevice,
        0x4000 => WasiFiletype.Directory,
        0x6000 => WasiFiletype.BlockDevice,
        0x8000 => WasiFiletype.RegularFile,
        0xA000 => WasiFiletype.SymbolicLink,
        0xC000 => WasiFiletype.SocketStream,
        _ => WasiFiletype.Unknown,
    };

    private static HostFileStatus? ManagedStatus(string path, bool followSymlink)
    {
        FileSystemInfo info = new FileInfo(path);
        if ((int)info.Attributes == -1)
        {
            return null;
        }

        if (followSymlink && info.LinkTarget != null)
        {
            info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!info.Exists && (int)info.Attributes == -1)
            {
                return null;
            }
        }

        var attributes = info.Attributes;
        var filetype = (!followSymlink && info.LinkTarget != null) ? WasiFiletype.SymbolicLink
            : attributes.HasFlag(FileAttributes.Directory) ? WasiFiletype.Directory
            : WasiFiletype.RegularFile;
        var size = filetype == WasiFiletype.RegularFile && info is FileInfo file ? (ulong)file.Length : 0;
        return new HostFileStatus(0, 0, filetype, 1, size,
            ToNanoseconds(info.LastAccessTimeUtc), ToNanoseconds(info.LastWriteTimeUtc), ToNanoseconds(info.LastWriteTimeUtc));
    }

    private static ulong ToNanoseconds(DateTime utc) =>
        utc < DateTime.UnixEpoch ? 0 : (ulong)(utc - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>A NUL-terminated UTF-8 copy of a path for a libc call, freed on dispose.</summary>
    private readonly struct NativePath : IDisposable
    {
        public NativePath(string path)
        {
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                // Would silently cut the path short in C; the resolver never builds one, so this is a guard.
                throw new WasiErrorException(WasiErrno.Inval);
            }

            var length = Encoding.UTF8.GetByteCount(path);
            Pointer = (byte*)NativeMemory.Alloc((nuint)length + 1);
            Encoding.UTF8.GetBytes(path, new Span<byte>(Pointer, length));
            Pointer[length] = 0;
        }

        public byte* Pointer { get; }

        public void Dispose() => NativeMemory.Free(Pointer);
    }

    /// <summary>Function pointers into the process's C library, looked up once.</summary>
    private static class Native
    {
        private static readonly nint Process = NativeLibrary.GetMainProgramHandle();

        public static readonly delegate* unmanaged<int, byte*, int, uint, byte*, int> Statx =
            OperatingSystem.IsLinux() ? (delegate* unmanaged<int, byte*, int, uint, byte*, int>)Find("statx") : null;

        public static readonly delegate* unmanaged<byte*, uint, int> Mkdir = (delegate* unmanaged<byte*, uint, int>)Require("mkdir");
        public static readonly delegate* unmanaged<byte*, int> Rmdir = (delegate* unmanaged<byte*, int>)Require("rmdir");
        public static readonly delegate* unmanaged<byte*, int> Unlink = (delegate* unmanaged<byte*, int>)Require("unlink");
        public static readonly delegate* unmanaged<byte*, byte*, int> Rename = (delegate* unmanaged<byte*, byte*, int>)Require("rename");
        public static readonly delegate* unmanaged<byte*, byte*, int> Symlink = (delegate* unmanaged<byte*, byte*, int>)Require("symlink");
        public static readonly delegate* unmanaged<int, byte*, int, byte*, int, int> Linkat = (delegate* unmanaged<int, byte*, int, byte*, int, int>)Find("linkat");
        public static readonly delegate* unmanaged<int, byte*, long*, int, int> Utimensat = (delegate* unmanaged<int, byte*, long*, int, int>)Find("utimensat");
        public static readonly delegate* unmanaged<int, long*, int> Futimens = (delegate* unmanaged<int, long*, int>)Find("futimens");

        private static nint Find(string name) => NativeLibrary.TryGetExport(Process, name, out var address) ? address : 0;

        private static nint Require(string name) => NativeLibrary.GetExport(Process, name);
    }
}

internal enum TimeChangeKind
{
    Omit,
    Now,
    Set,
}

/// <summary>One timestamp of a <c>*_set_times</c> call: leave it, set it to now, or set it to a value.</summary>
internal readonly record struct TimeChange(TimeChangeKind Kind, ulong Nanoseconds)
{
    public static TimeChange From(WasiFstFlags flags, WasiFstFlags setFlag, WasiFstFlags nowFlag, ulong nanoseconds)
    {
        if (flags.HasFlag(setFlag) && flags.HasFlag(nowFlag))
        {
            // witx: setting a time and "now" at once is contradictory.
            throw new WasiErrorException(WasiErrno.Inval);
        }

        return flags.HasFlag(nowFlag) ? new(TimeChangeKind.Now, 0)
            : flags.HasFlag(setFlag) ? new(TimeChangeKind.Set, nanoseconds)
            : new(TimeChangeKind.Omit, 0);
    }

    public DateTime ToDateTime() => Kind == TimeChangeKind.Now
        ? DateTime.UtcNow
        : DateTime.UnixEpoch.AddTicks((long)(Nanoseconds / 100));
}
