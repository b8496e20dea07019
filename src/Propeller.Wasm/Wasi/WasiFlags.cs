namespace Propeller.Wasm.Wasi;

/// <summary>The small enums and bit sets of preview1's ABI, with their witx values.</summary>
internal enum WasiFiletype : byte
{
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
}

/// <summary><c>fdflags</c>: how writes and reads behave on a descriptor.</summary>
[Flags]
internal enum WasiFdFlags : ushort
{
    None = 0,
    Append = 1 << 0,
    Dsync = 1 << 1,
    Nonblock = 1 << 2,
    Rsync = 1 << 3,
    Sync = 1 << 4,
}

/// <summary><c>oflags</c>: what <c>path_open</c> does when the file exists or not.</summary>
[Flags]
internal enum WasiOFlags : ushort
{
    None = 0,
    Creat = 1 << 0,
    Directory = 1 << 1,
    Excl = 1 << 2,
    Trunc = 1 << 3,
}

/// <summary><c>lookupflags</c>: whether a symlink in the last path component is followed.</summary>
[Flags]
internal enum WasiLookupFlags : uint
{
    None = 0,
    SymlinkFollow = 1 << 0,
}

/// <summary><c>fstflags</c>: which timestamps <c>*_set_times</c> changes, and whether to "now".</summary>
[Flags]
internal enum WasiFstFlags : ushort
{
    None = 0,
    Atim = 1 << 0,
    AtimNow = 1 << 1,
    Mtim = 1 << 2,
    MtimNow = 1 << 3,
}

internal enum WasiWhence : byte
{
    Set = 0,
    Cur = 1,
    End = 2,
}

internal enum WasiClockId : uint
{
    Realtime = 0,
    Monotonic = 1,
    ProcessCputime = 2,
    ThreadCputime = 3,
}

internal enum WasiEventType : byte
{
    Clock = 0,
    FdRead = 1,
    FdWrite = 2,
}

internal enum WasiAdvice : byte
{
    Normal = 0,
    Sequential = 1,
    Random = 2,
    Willneed = 3,
    Dontneed = 4,
    Noreuse = 5,
}

/// <summary>The bits each flags type defines; anything else in an argument is INVAL.</summary>
internal static class DefinedBits
{
    public const uint FdFlags = 0x1F;
    public const uint OFlags = 0xF;
    public const uint LookupFlags = 0x1;
    public const uint FstFlags = 0xF;
}
