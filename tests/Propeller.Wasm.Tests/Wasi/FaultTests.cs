using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

/// <summary>A pointer or length outside the guest's memory is FAULT, never an exception, and nothing happens first.</summary>
public sealed class FaultTests
{
    private const uint Outside = MemorySize - 2;
    private const uint Huge = 0xFFFF_FFF0;

    [Fact]
    public void Iovec_array_buffer_and_result_pointers_are_checked_before_writing()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "f.txt", WasiOFlags.Creat);
        var (vectors, count) = harness.WriteVectors("data");
        var result = harness.Alloc(4);
        var badBuffer = harness.Alloc(8);
        harness.Memory.WriteUInt32(badBuffer, Outside);
        harness.Memory.WriteUInt32(badBuffer + 4, 100);

        Assert.Equal(WasiErrno.Fault, harness.Call("fd_write", I32(fd), I32(Outside), I32(1), I32(result)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_write", I32(fd), I32(vectors), I32(Huge), I32(result)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_write", I32(fd), I32(badBuffer), I32(1), I32(result)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_write", I32(fd), I32(vectors), I32(count), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_write", I32(1), I32(vectors), I32(count), I32(Outside)));

        Assert.Equal(0, new FileInfo(harness.InSandbox("f.txt")).Length);
        Assert.Equal("", harness.Stdout.ReadText());
    }

    [Fact]
    public void Reads_check_their_buffers()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("r.txt"), "data");
        var fd = harness.OpenOk(Sandbox, "r.txt", rights: ReadRights);
        var result = harness.Alloc(4);
        var badBuffer = harness.Alloc(8);
        harness.Memory.WriteUInt32(badBuffer, Outside);
        harness.Memory.WriteUInt32(badBuffer + 4, 100);

        Assert.Equal(WasiErrno.Fault, harness.Call("fd_read", I32(fd), I32(badBuffer), I32(1), I32(result)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_pread", I32(fd), I32(badBuffer), I32(1), I64(0L), I32(result)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_readdir", I32(Sandbox), I32(Outside), I32(100), I64(0L), I32(result)));
        Assert.Equal((WasiErrno.Success, "data"), harness.Read(fd));
    }

    [Fact]
    public void Paths_and_results_of_path_calls_are_checked()
    {
        using var harness = new WasiHarness();
        var (path, length) = harness.String("new.txt");

        Assert.Equal(WasiErrno.Fault, harness.Call("path_open", I32(Sandbox), I32(0), I32(Outside), I32(10), I32(0),
            I64((ulong)FileRights), I64(0L), I32(0), I32(harness.Alloc(4))));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_open", I32(Sandbox), I32(0), I32(path), I32(length), I32((uint)WasiOFlags.Creat),
            I64((ulong)FileRights), I64(0L), I32(0), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_create_directory", I32(Sandbox), I32(Huge), I32(100)));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_filestat_get", I32(Sandbox), I32(0), I32(path), I32(length), I32(Outside)));

        Assert.False(File.Exists(harness.InSandbox("new.txt")), "a FAULT on the result pointer must not leave a created file");
    }

    [Fact]
    public void Every_family_answers_FAULT()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Fault, harness.Call("args_get", I32(Outside), I32(0)));
        Assert.Equal(WasiErrno.Fault, harness.Call("args_sizes_get", I32(0), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("environ_get", I32(0), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("clock_time_get", I32(1), I64(0L), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("clock_res_get", I32(1), I32(Huge)));
        Assert.Equal(WasiErrno.Fault, harness.Call("random_get", I32(Outside), I32(16)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_fdstat_get", I32(1), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_filestat_get", I32(Sandbox), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_prestat_get", I32(Sandbox), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_prestat_dir_name", I32(Sandbox), I32(Huge), I32(10)));
        Assert.Equal(WasiErrno.Fault, harness.Call("fd_seek", I32(harness.OpenOk(Sandbox, "s", WasiOFlags.Creat)), I64(0L), I32(0), I32(Outside)));
        Assert.Equal(WasiErrno.Fault, harness.Call("poll_oneoff", I32(Outside), I32(0), I32(1), I32(0)));
        Assert.Equal(WasiErrno.Fault, harness.Call("poll_oneoff", I32(0), I32(0), I32(Huge), I32(0)));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_readlink", I32(Sandbox), I32(0), I32(1), I32(Outside), I32(100), I32(0)));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_symlink", I32(Outside), I32(100), I32(Sandbox), I32(0), I32(1)));
        Assert.Equal(WasiErrno.Fault, harness.Call("path_rename", I32(Sandbox), I32(0), I32(1), I32(Sandbox), I32(Outside), I32(50)));
    }
}
