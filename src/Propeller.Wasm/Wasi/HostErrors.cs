using System.Text;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// Turns what the host reports (a managed exception or a raw errno from libc) into WASI's errno. The
/// guest must see the POSIX meaning (ENOTEMPTY, EEXIST, ...), not a generic I/O error, because libc and
/// Rust's std branch on it (e.g. <c>create_dir_all</c> ignores EEXIST).
/// </summary>
internal static class HostErrors
{
    /// <summary>The errno for an exception thrown while serving a call.</summary>
    public static WasiErrno FromException(Exception exception) => exception switch
    {
        WasiErrorException wasi => wasi.Errno,
        GuestMemoryOutOfBoundsException => WasiErrno.Fault,
        // A path or string from the guest that is not UTF-8: the name cannot exist on the host as given.
        DecoderFallbackException => WasiErrno.Ilseq,
        FileNotFoundException or DirectoryNotFoundException => WasiErrno.Noent,
        UnauthorizedAccessException => WasiErrno.Acces,
        PathTooLongException => WasiErrno.Nametoolong,
        // On Unix, .NET puts the raw errno in HResult for the I/O errors it has no exception type for.
        IOException io when io.HResult is > 0 and < 4096 => FromHostErrno(io.HResult),
        IOException => WasiErrno.Io,
        ObjectDisposedException => WasiErrno.Badf,
        NotSupportedException or PlatformNotSupportedException => WasiErrno.Notsup,
        ArgumentException => WasiErrno.Inval,
        OutOfMemoryException or InsufficientExecutionStackException => WasiErrno.Nomem,
        _ => WasiErrno.Io,
    };

    /// <summary>
    /// The WASI errno for a host errno. Unix numbers 1–34 are the same on Linux and macOS (except 11);
    /// the rest differ, so they are looked up per OS.
    /// </summary>
    public static WasiErrno FromHostErrno(int errno) => errno switch
    {
        1 => WasiErrno.Perm,
        2 => WasiErrno.Noent,
        4 => WasiErrno.Intr,
        5 => WasiErrno.Io,
        6 => WasiErrno.Nxio,
        7 => WasiErrno.TooBig,
        9 => WasiErrno.Badf,
        12 => WasiErrno.Nomem,
        13 => WasiErrno.Acces,
        14 => WasiErrno.Fault,
        16 => WasiErrno.Busy,
        17 => WasiErrno.Exist,
        18 => WasiErrno.Xdev,
        19 => WasiErrno.Nodev,
        20 => WasiErrno.Notdir,
        21 => WasiErrno.Isdir,
        22 => WasiErrno.Inval,
        23 => WasiErrno.Nfile,
        24 => WasiErrno.Mfile,
        25 => WasiErrno.Notty,
        26 => WasiErrno.Txtbsy,
        27 => WasiErrno.Fbig,
        28 => WasiErrno.Nospc,
        29 => WasiErrno.Spipe,
        30 => WasiErrno.Rofs,
        31 => WasiErrno.Mlink,
        32 => WasiErrno.Pipe,
        _ when OperatingSystem.IsMacOS() => FromMacOSErrno(errno),
        _ => FromLinuxErrno(errno),
    };

    private static WasiErrno FromLinuxErrno(int errno) => errno switch
    {
        11 => WasiErrno.Again,
        36 => WasiErrno.Nametoolong,
        38 => WasiErrno.Nosys,
        39 => WasiErrno.Notempty,
        40 => WasiErrno.Loop,
        75 => WasiErrno.Overflow,
        84 => WasiErrno.Ilseq,
        95 => WasiErrno.Notsup,
        110 => WasiErrno.Timedout,
        116 => WasiErrno.Stale,
        122 => WasiErrno.Dquot,
        _ => WasiErrno.Io,
    };

    private static WasiErrno FromMacOSErrno(int errno) => errno switch
    {
        11 => WasiErrno.Deadlk,
        35 => WasiErrno.Again,
        45 or 102 => WasiErrno.Notsup,
        60 => WasiErrno.Timedout,
        62 => WasiErrno.Loop,
        63 => WasiErrno.Nametoolong,
        66 => WasiErrno.Notempty,
        69 => WasiErrno.Dquot,
        70 => WasiErrno.Stale,
        78 => WasiErrno.Nosys,
        84 => WasiErrno.Overflow,
        92 => WasiErrno.Ilseq,
        _ => WasiErrno.Io,
    };
}
