using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

/// <summary>The "ro" preopen (fd 4) is read-only: reading works, every change is PERM and changes nothing.</summary>
public sealed class ReadOnlyTests
{
    [Fact]
    public void Files_open_and_read()
    {
        using var harness = new WasiHarness();

        var fd = harness.OpenOk(ReadOnly, "kept.txt", rights: ReadRights);

        Assert.Equal((WasiErrno.Success, "keep me"), harness.Read(fd));
        Assert.Equal(WasiErrno.Badf, harness.Write(fd, "x").Errno);
        Assert.Equal(WasiFiletype.RegularFile, harness.PathFilestat(ReadOnly, "kept.txt").Stat.Type);
    }

    [Fact]
    public void Opening_to_write_create_or_truncate_is_PERM()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Perm, harness.Open(ReadOnly, "kept.txt", rights: FileRights).Errno);
        Assert.Equal(WasiErrno.Perm, harness.Open(ReadOnly, "kept.txt", rights: WasiRights.FdWrite).Errno);
        Assert.Equal(WasiErrno.Perm, harness.Open(ReadOnly, "kept.txt", WasiOFlags.Trunc, rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Perm, harness.Open(ReadOnly, "new.txt", WasiOFlags.Creat, rights: ReadRights).Errno);

        Assert.Equal("keep me", File.ReadAllText(Path.Combine(harness.ReadOnlyPath, "kept.txt")));
        Assert.False(File.Exists(Path.Combine(harness.ReadOnlyPath, "new.txt")));
    }

    [Fact]
    public void Every_path_change_is_PERM()
    {
        using var harness = new WasiHarness();
        var (pointer, length) = harness.String("kept.txt");

        Assert.Equal(WasiErrno.Perm, harness.PathCall("path_create_directory", ReadOnly, "dir"));
        Assert.Equal(WasiErrno.Perm, harness.PathCall("path_unlink_file", ReadOnly, "kept.txt"));
        Assert.Equal(WasiErrno.Perm, harness.PathCall("path_remove_directory", ReadOnly, "."));
        Assert.Equal(WasiErrno.Perm, harness.Rename(ReadOnly, "kept.txt", ReadOnly, "moved.txt"));
        Assert.Equal(WasiErrno.Perm, harness.Rename(ReadOnly, "kept.txt", Sandbox, "moved.txt"));
        Assert.Equal(WasiErrno.Perm, harness.Rename(Sandbox, ".", ReadOnly, "moved"));
        Assert.Equal(WasiErrno.Perm, harness.Symlink("kept.txt", ReadOnly, "link"));
        Assert.Equal(WasiErrno.Perm, harness.Link(ReadOnly, "kept.txt", ReadOnly, "hard.txt"));
        Assert.Equal(WasiErrno.Perm, harness.Call("path_filestat_set_times", I32(ReadOnly), I32(1), I32(pointer), I32(length),
            I64(0L), I64(0L), I32((uint)WasiFstFlags.MtimNow)));

        Assert.Equal(["kept.txt"], Directory.GetFileSystemEntries(harness.ReadOnlyPath).Select(Path.GetFileName));
    }

    [Fact]
    public void A_hard_link_from_read_only_into_a_writable_preopen_is_PERM()
    {
        using var harness = new WasiHarness();

        // Otherwise the writable side would get a name through which the read-only file could be changed.
        Assert.Equal(WasiErrno.Perm, harness.Link(ReadOnly, "kept.txt", Sandbox, "writable-alias.txt"));
        Assert.False(File.Exists(harness.InSandbox("writable-alias.txt")));
    }

    [Fact]
    public void Descriptor_changes_on_a_read_only_file_are_PERM_or_BADF()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(ReadOnly, "kept.txt", rights: ReadRights);
        var (vectors, count) = harness.WriteVectors("x");
        var result = harness.Alloc(4);

        Assert.Equal(WasiErrno.Perm, harness.Call("fd_filestat_set_times", I32(fd), I64(0L), I64(0L), I32((uint)WasiFstFlags.MtimNow)));
        Assert.Equal(WasiErrno.Notcapable, harness.Call("fd_filestat_set_size", I32(fd), I64(0L)));
        Assert.Equal(WasiErrno.Badf, harness.Call("fd_pwrite", I32(fd), I32(vectors), I32(count), I64(0L), I32(result)));
        Assert.Equal(WasiErrno.Perm, harness.Call("fd_filestat_set_times", I32(ReadOnly), I64(0L), I64(0L), I32((uint)WasiFstFlags.MtimNow)));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(harness.ReadOnlyPath, "kept.txt")));
    }

    [Fact]
    public void The_read_only_preopen_still_lists_and_describes_itself()
    {
        using var harness = new WasiHarness();
        var result = harness.Alloc(8);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_prestat_get", I32(ReadOnly), I32(result)));
        Assert.Equal(2u, harness.Memory.ReadUInt32(result + 4));
        var (type, _, rights, inheriting) = harness.Fdstat(ReadOnly);
        Assert.Equal(WasiFiletype.Directory, type);
        Assert.True(rights.HasFlag(WasiRights.PathOpen | WasiRights.FdReaddir));
        Assert.True(inheriting.HasFlag(WasiRights.FdRead));
    }
}
