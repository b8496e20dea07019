namespace Propeller.Wasm.Wasi;

/// <summary>
/// WASI preview1's <c>rights</c> bits (witx order). A descriptor carries <em>base</em> rights (what may be
/// done with it) and <em>inheriting</em> rights (the most a descriptor opened through it may get).
/// wasi-libc reads a directory's inheriting rights with <c>fd_fdstat_get</c> and asks <c>path_open</c> for
/// <c>wanted &amp; inheriting</c>, so those sets must be generous; Rust's std asks for a fixed set.
/// </summary>
[Flags]
internal enum WasiRights : ulong
{
    None = 0,
    FdDatasync = 1UL << 0,
    FdRead = 1UL << 1,
    FdSeek = 1UL << 2,
    FdFdstatSetFlags = 1UL << 3,
    FdSync = 1UL << 4,
    FdTell = 1UL << 5,
    FdWrite = 1UL << 6,
    FdAdvise = 1UL << 7,
    FdAllocate = 1UL << 8,
    PathCreateDirectory = 1UL << 9,
    PathCreateFile = 1UL << 10,
    PathLinkSource = 1UL << 11,
    PathLinkTarget = 1UL << 12,
    PathOpen = 1UL << 13,
    FdReaddir = 1UL << 14,
    PathReadlink = 1UL << 15,
    PathRenameSource = 1UL << 16,
    PathRenameTarget = 1UL << 17,
    PathFilestatGet = 1UL << 18,
    PathFilestatSetSize = 1UL << 19,
    PathFilestatSetTimes = 1UL << 20,
    FdFilestatGet = 1UL << 21,
    FdFilestatSetSize = 1UL << 22,
    FdFilestatSetTimes = 1UL << 23,
    PathSymlink = 1UL << 24,
    PathRemoveDirectory = 1UL << 25,
    PathUnlinkFile = 1UL << 26,
    PollFdReadwrite = 1UL << 27,
    SockShutdown = 1UL << 28,
    SockAccept = 1UL << 29,
}

/// <summary>The rights that make sense for each kind of descriptor, and which of them change files.</summary>
internal static class RightsSets
{
    /// <summary>Every right a regular file can use.</summary>
    public const WasiRights RegularFile =
        WasiRights.FdDatasync | WasiRights.FdRead | WasiRights.FdSeek | WasiRights.FdFdstatSetFlags |
        WasiRights.FdSync | WasiRights.FdTell | WasiRights.FdWrite | WasiRights.FdAdvise |
        WasiRights.FdAllocate | WasiRights.FdFilestatGet | WasiRights.FdFilestatSetSize |
        WasiRights.FdFilestatSetTimes | WasiRights.PollFdReadwrite;

    /// <summary>Every right a directory can use (its own fd_* rights and the path_* rights beneath it).</summary>
    public const WasiRights Directory =
        WasiRights.FdFdstatSetFlags | WasiRights.FdSync | WasiRights.FdDatasync |
        WasiRights.PathCreateDirectory | WasiRights.PathCreateFile | WasiRights.PathLinkSource |
        WasiRights.PathLinkTarget | WasiRights.PathOpen | WasiRights.FdReaddir | WasiRights.PathReadlink |
        WasiRights.PathRenameSource | WasiRights.PathRenameTarget | WasiRights.PathFilestatGet |
        WasiRights.PathFilestatSetSize | WasiRights.PathFilestatSetTimes | WasiRights.FdFilestatGet |
        WasiRights.FdFilestatSetTimes | WasiRights.PathSymlink | WasiRights.PathRemoveDirectory |
        WasiRights.PathUnlinkFile;

    /// <summary>What a directory hands down: anything a file or a directory beneath it can use.</summary>
    public const WasiRights DirectoryInheriting = Directory | RegularFile;

    /// <summary>Standard input: a stream that can only be read (no seek, no tell: wasi-libc's isatty looks at those).</summary>
    public const WasiRights Stdin = WasiRights.FdRead | WasiRights.FdFdstatSetFlags | WasiRights.FdFilestatGet | WasiRights.PollFdReadwrite;

    /// <summary>Standard output and error: streams that can only be written.</summary>
    public const WasiRights Stdout = WasiRights.FdWrite | WasiRights.FdFdstatSetFlags | WasiRights.FdFilestatGet | WasiRights.PollFdReadwrite;

    /// <summary>
    /// The rights that mean "this file will be changed through the descriptor". A read-only preopen refuses
    /// to open a file with any of them. (wasi-libc and Rust's std ask for exactly these only when writing.)
    /// </summary>
    public const WasiRights FileMutation = WasiRights.FdWrite | WasiRights.FdAllocate | WasiRights.FdFilestatSetSize;
}
