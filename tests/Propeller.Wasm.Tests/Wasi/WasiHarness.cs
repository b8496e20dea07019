using System.Text;
using Propeller.Testing;
using Propeller.Wasm.Wasi;

namespace Propeller.Wasm.Tests.Wasi;

/// <summary>
/// Calls WASI host functions the way an engine would, against an <see cref="ArrayGuestMemory"/> and real
/// temp directories. Layout on disk, one fresh tree per test:
/// <code>
/// root/
///   outside.txt        "secret" — must never be reachable from the guest
///   sandbox/           preopen fd 3, guest path "."  (writable)
///   readonly/          preopen fd 4, guest path "ro" (read-only), holds kept.txt "keep me"
/// </code>
/// Memory is bump-allocated from 1 KiB up; each helper lays out its strings and iovecs there.
/// </summary>
internal sealed class WasiHarness : IDisposable
{
    public const uint Sandbox = 3;
    public const uint ReadOnly = 4;
    public const int MemorySize = 1 << 20;

    /// <summary>What wasi-libc's open(O_RDWR) asks for on a file: everything a file can use.</summary>
    public const WasiRights FileRights = RightsSets.RegularFile;

    /// <summary>What wasi-libc's open(O_RDONLY) ends up with on a file.</summary>
    public const WasiRights ReadRights = RightsSets.RegularFile & ~(WasiRights.FdWrite | WasiRights.FdAllocate | WasiRights.FdFilestatSetSize | WasiRights.FdDatasync);

    private readonly TempDirectory _root = new("propeller-wasi");
    private readonly Dictionary<string, HostFunction> _functions;
    private uint _next = 1024;

    public WasiHarness(Func<WasiOptions, WasiOptions>? configure = null)
    {
        System.IO.Directory.CreateDirectory(SandboxPath);
        System.IO.Directory.CreateDirectory(ReadOnlyPath);
        File.WriteAllText(_root.Combine("outside.txt"), "secret");
        File.WriteAllText(Path.Combine(ReadOnlyPath, "kept.txt"), "keep me");
        var options = new WasiOptions
        {
            Arguments = ["guest.wasm", "a", "b"],
            Environment = [new("GREETING", "hi")],
            Preopens = [new WasiPreopen(SandboxPath, "."), new WasiPreopen(ReadOnlyPath, "ro", ReadOnly: true)],
            Stdout = Stdout,
            Stderr = Stderr,
        };
        Wasi = new WasiPreview1(configure?.Invoke(options) ?? options);
        _functions = Wasi.Functions.ToDictionary(function => function.Name);
    }

    public WasiPreview1 Wasi { get; }

    public ArrayGuestMemory Memory { get; } = new(new byte[MemorySize]);

    public CappedOutput Stdout { get; } = new(1 << 16);

    public CappedOutput Stderr { get; } = new(1 << 16);

    public string RootPath => _root.Path;

    public string SandboxPath => _root.Combine("sandbox");

    public string ReadOnlyPath => _root.Combine("readonly");

    public string OutsidePath => _root.Combine("outside.txt");

    /// <summary>Host path of <paramref name="relative"/> inside the sandbox preopen.</summary>
    public string InSandbox(string relative) => Path.Combine(SandboxPath, relative);

    // ---- raw calls -------------------------------------------------------------------------------

    public static WasmValue I32(uint value) => WasmValue.FromInt32(unchecked((int)value));

    public static WasmValue I32(int value) => WasmValue.FromInt32(value);

    public static WasmValue I64(ulong value) => WasmValue.FromInt64(unchecked((long)value));

    public static WasmValue I64(long value) => WasmValue.FromInt64(value);

    public HostFunction Function(string name) => _functions[name];

    /// <summary>Calls <paramref name="name"/> and returns its errno.</summary>
    public WasiErrno Call(string name, params WasmValue[] arguments) =>
        (WasiErrno)Function(name).Body(Memory, arguments).AsInt32();

    // ---- guest memory ----------------------------------------------------------------------------

    public uint Alloc(uint size, uint align = 8)
    {
        _next = (_next + align - 1) / align * align;
        var pointer = _next;
        _next += Math.Max(size, 1);
        if (_next > MemorySize)
        {
            throw new InvalidOperationException("The test harness ran out of guest memory.");
        }

        return pointer;
    }

    /// <summary>Copies <paramref name="text"/> (UTF-8, no NUL) into memory: the (pointer, length) pair WASI takes.</summary>
    public (uint Pointer, uint Length) String(string text) => Data(Encoding.UTF8.GetBytes(text));

    public (uint Pointer, uint Length) Data(byte[] bytes)
    {
        var pointer = Alloc((uint)bytes.Length, 1);
        bytes.CopyTo(Memory.Slice(pointer, (uint)bytes.Length));
        return (pointer, (uint)bytes.Length);
    }

    /// <summary>An iovec array whose buffers hold <paramref name="chunks"/> (for writes).</summary>
    public (uint Pointer, uint Count) WriteVectors(params string[] chunks)
    {
        var array = Alloc((uint)chunks.Length * 8, 4);
        for (var i = 0; i < chunks.Length; i++)
        {
            var (pointer, length) = String(chunks[i]);
            Memory.WriteUInt32(array + (uint)(i * 8), pointer);
            Memory.WriteUInt32(array + (uint)(i * 8) + 4, length);
        }

        return (array, (uint)chunks.Length);
    }

    /// <summary>An iovec array of empty buffers of the given sizes (for reads).</summary>
    public (uint Pointer, uint Count, uint[] Buffers) ReadVectors(params uint[] sizes)
    {
        var array = Alloc((uint)sizes.Length * 8, 4);
        var buffers = new uint[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            buffers[i] = Alloc(sizes[i], 1);
            Memory.WriteUInt32(array + (uint)(i * 8), buffers[i]);
            Memory.WriteUInt32(array + (uint)(i * 8) + 4, sizes[i]);
        }

        return (array, (uint)sizes.Length, buffers);
    }

    public string Text(uint pointer, uint length) => Encoding.UTF8.GetString(Memory.Slice(pointer, length));

    // ---- the calls most tests make ---------------------------------------------------------------

    /// <summary>path_open; returns the errno and the new descriptor (0 on failure).</summary>
    public (WasiErrno Errno, uint Fd) Open(
        uint directory,
        string path,
        WasiOFlags oflags = WasiOFlags.None,
        WasiRights rights = FileRights,
        WasiFdFlags fdflags = WasiFdFlags.None,
        bool follow = true,
        WasiRights inheriting = RightsSets.DirectoryInheriting)
    {
        var (pointer, length) = String(path);
        var result = Alloc(4, 4);
        var errno = Call("path_open", I32(directory), I32(follow ? 1 : 0), I32(pointer), I32(length), I32((uint)oflags),
            I64((ulong)rights), I64((ulong)inheriting), I32((uint)fdflags), I32(result));
        return (errno, errno == WasiErrno.Success ? Memory.ReadUInt32(result) : 0);
    }

    /// <summary>Opens a file that must open; fails the test otherwise.</summary>
    public uint OpenOk(uint directory, string path, WasiOFlags oflags = WasiOFlags.None, WasiRights rights = FileRights, WasiFdFlags fdflags = WasiFdFlags.None)
    {
        var (errno, fd) = Open(directory, path, oflags, rights, fdflags);
        Assert.Equal(WasiErrno.Success, errno);
        return fd;
    }

    public (WasiErrno Errno, uint Written) Write(uint fd, params string[] chunks)
    {
        var (vectors, count) = WriteVectors(chunks);
        var result = Alloc(4, 4);
        var errno = Call("fd_write", I32(fd), I32(vectors), I32(count), I32(result));
        return (errno, Memory.ReadUInt32(result));
    }

    public (WasiErrno Errno, string Text) Read(uint fd, uint size = 256)
    {
        var (vectors, count, buffers) = ReadVectors(size);
        var result = Alloc(4, 4);
        var errno = Call("fd_read", I32(fd), I32(vectors), I32(count), I32(result));
        return (errno, errno == WasiErrno.Success ? Text(buffers[0], Memory.ReadUInt32(result)) : "");
    }

    /// <summary>Calls a path_* function that takes (fd, path) and nothing else.</summary>
    public WasiErrno PathCall(string name, uint directory, string path)
    {
        var (pointer, length) = String(path);
        return Call(name, I32(directory), I32(pointer), I32(length));
    }

    public WasiErrno Rename(uint fromDirectory, string from, uint toDirectory, string to)
    {
        var (fromPointer, fromLength) = String(from);
        var (toPointer, toLength) = String(to);
        return Call("path_rename", I32(fromDirectory), I32(fromPointer), I32(fromLength), I32(toDirectory), I32(toPointer), I32(toLength));
    }

    public WasiErrno Symlink(string target, uint directory, string path)
    {
        var (targetPointer, targetLength) = String(target);
        var (pointer, length) = String(path);
        return Call("path_symlink", I32(targetPointer), I32(targetLength), I32(directory), I32(pointer), I32(length));
    }

    public WasiErrno Link(uint fromDirectory, string from, uint toDirectory, string to, bool follow = false)
    {
        var (fromPointer, fromLength) = String(from);
        var (toPointer, toLength) = String(to);
        return Call("path_link", I32(fromDirectory), I32(follow ? 1 : 0), I32(fromPointer), I32(fromLength), I32(toDirectory), I32(toPointer), I32(toLength));
    }

    /// <summary>path_filestat_get; returns the errno and the 64-byte filestat's address.</summary>
    public (WasiErrno Errno, Filestat Stat) PathFilestat(uint directory, string path, bool follow = true)
    {
        var (pointer, length) = String(path);
        var result = Alloc(64);
        var errno = Call("path_filestat_get", I32(directory), I32(follow ? 1 : 0), I32(pointer), I32(length), I32(result));
        return (errno, Filestat.Read(Memory, result));
    }

    public Filestat FdFilestat(uint fd)
    {
        var result = Alloc(64);
        Assert.Equal(WasiErrno.Success, Call("fd_filestat_get", I32(fd), I32(result)));
        return Filestat.Read(Memory, result);
    }

    public (WasiFiletype Type, WasiFdFlags Flags, WasiRights Base, WasiRights Inheriting) Fdstat(uint fd)
    {
        var result = Alloc(24);
        Assert.Equal(WasiErrno.Success, Call("fd_fdstat_get", I32(fd), I32(result)));
        return ((WasiFiletype)Memory.ReadByte(result), (WasiFdFlags)Memory.ReadUInt16(result + 2),
            (WasiRights)Memory.ReadUInt64(result + 8), (WasiRights)Memory.ReadUInt64(result + 16));
    }

    public void Dispose()
    {
        Wasi.Dispose();
        _root.Dispose();
    }
}

/// <summary>A decoded <c>filestat</c>.</summary>
internal readonly record struct Filestat(ulong Device, ulong Inode, WasiFiletype Type, ulong Links, ulong Size, ulong Atime, ulong Mtime, ulong Ctime)
{
    public static Filestat Read(GuestMemory memory, uint pointer) => new(
        memory.ReadUInt64(pointer), memory.ReadUInt64(pointer + 8), (WasiFiletype)memory.ReadByte(pointer + 16),
        memory.ReadUInt64(pointer + 24), memory.ReadUInt64(pointer + 32), memory.ReadUInt64(pointer + 40),
        memory.ReadUInt64(pointer + 48), memory.ReadUInt64(pointer + 56));
}
