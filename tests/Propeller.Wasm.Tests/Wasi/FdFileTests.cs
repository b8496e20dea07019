using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class FdFileTests
{
    [Fact]
    public void Write_seek_tell_and_read_a_real_file()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "notes.txt", WasiOFlags.Creat);
        var position = harness.Alloc(8);

        Assert.Equal((WasiErrno.Success, 11u), harness.Write(fd, "hello ", "world"));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_tell", I32(fd), I32(position)));
        Assert.Equal(11UL, harness.Memory.ReadUInt64(position));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_seek", I32(fd), I64(-5L), I32((uint)WasiWhence.End), I32(position)));
        Assert.Equal(6UL, harness.Memory.ReadUInt64(position));

        Assert.Equal((WasiErrno.Success, "world"), harness.Read(fd));
        Assert.Equal((WasiErrno.Success, ""), harness.Read(fd));
        Assert.Equal("hello world", File.ReadAllText(harness.InSandbox("notes.txt")));
    }

    [Fact]
    public void A_read_fills_several_iovecs_in_order()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("abc.txt"), "abcdefgh");
        var fd = harness.OpenOk(Sandbox, "abc.txt", rights: ReadRights);
        var (vectors, count, buffers) = harness.ReadVectors(3, 3, 10);
        var read = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_read", I32(fd), I32(vectors), I32(count), I32(read)));

        Assert.Equal(8u, harness.Memory.ReadUInt32(read));
        Assert.Equal("abc", harness.Text(buffers[0], 3));
        Assert.Equal("def", harness.Text(buffers[1], 3));
        Assert.Equal("gh", harness.Text(buffers[2], 2));
    }

    [Fact]
    public void Pread_and_pwrite_use_their_offset_and_leave_the_position_alone()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("p.txt"), "0123456789");
        var fd = harness.OpenOk(Sandbox, "p.txt");
        var (writeVectors, writeCount) = harness.WriteVectors("AB");
        var (readVectors, readCount, buffers) = harness.ReadVectors(4);
        var result = harness.Alloc(8);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_pwrite", I32(fd), I32(writeVectors), I32(writeCount), I64(3L), I32(result)));
        Assert.Equal(2u, harness.Memory.ReadUInt32(result));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_pread", I32(fd), I32(readVectors), I32(readCount), I64(2L), I32(result)));
        Assert.Equal("2AB5", harness.Text(buffers[0], harness.Memory.ReadUInt32(result)));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_tell", I32(fd), I32(result)));
        Assert.Equal(0UL, harness.Memory.ReadUInt64(result));
        Assert.Equal((WasiErrno.Success, "012AB56789"), harness.Read(fd));
    }

    [Fact]
    public void Append_mode_writes_at_the_end_whatever_the_position()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("log.txt"), "one\n");
        var fd = harness.OpenOk(Sandbox, "log.txt", fdflags: WasiFdFlags.Append);
        var position = harness.Alloc(8);
        harness.Call("fd_seek", I32(fd), I64(0L), I32((uint)WasiWhence.Set), I32(position));

        harness.Write(fd, "two\n");

        Assert.Equal("one\ntwo\n", File.ReadAllText(harness.InSandbox("log.txt")));
        Assert.Equal(WasiFdFlags.Append, harness.Fdstat(fd).Flags);
    }

    [Fact]
    public void Set_flags_turns_append_on_later()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("log.txt"), "one\n");
        var fd = harness.OpenOk(Sandbox, "log.txt");

        Assert.Equal(WasiErrno.Success, harness.Call("fd_fdstat_set_flags", I32(fd), I32((uint)WasiFdFlags.Append)));
        harness.Write(fd, "two\n");

        Assert.Equal("one\ntwo\n", File.ReadAllText(harness.InSandbox("log.txt")));
        Assert.Equal(WasiErrno.Inval, harness.Call("fd_fdstat_set_flags", I32(fd), I32(0x100)));
    }

    [Fact]
    public void Seeking_before_the_start_or_with_a_bad_whence_is_INVAL()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "s.txt", WasiOFlags.Creat);
        var position = harness.Alloc(8);

        Assert.Equal(WasiErrno.Inval, harness.Call("fd_seek", I32(fd), I64(-1L), I32((uint)WasiWhence.Set), I32(position)));
        Assert.Equal(WasiErrno.Inval, harness.Call("fd_seek", I32(fd), I64(0L), I32(3), I32(position)));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_seek", I32(fd), I64(100L), I32((uint)WasiWhence.Set), I32(position)));
        Assert.Equal(100UL, harness.Memory.ReadUInt64(position));
    }

    [Fact]
    public void Filestat_size_truncate_and_allocate()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "sized.bin", WasiOFlags.Creat);
        harness.Write(fd, "0123456789");

        var stat = harness.FdFilestat(fd);
        Assert.Equal(WasiFiletype.RegularFile, stat.Type);
        Assert.Equal(10UL, stat.Size);
        if (OperatingSystem.IsLinux())
        {
            // statx; on macOS the status comes from .NET, without inode or link count.
            Assert.Equal(1UL, stat.Links);
            Assert.NotEqual(0UL, stat.Inode);
        }

        Assert.True(stat.Mtime > 1_600_000_000_000_000_000UL);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_filestat_set_size", I32(fd), I64(4L)));
        Assert.Equal(4L, new FileInfo(harness.InSandbox("sized.bin")).Length);
        Assert.Equal(WasiErrno.Success, harness.Call("fd_allocate", I32(fd), I64(10L), I64(90L)));
        Assert.Equal(100L, new FileInfo(harness.InSandbox("sized.bin")).Length);
        Assert.Equal(WasiErrno.Success, harness.Call("fd_allocate", I32(fd), I64(0L), I64(10L)));
        Assert.Equal(100L, new FileInfo(harness.InSandbox("sized.bin")).Length);
    }

    [Fact]
    public void Set_times_changes_only_the_times_asked_for()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "t.txt", WasiOFlags.Creat);
        const ulong Mtime = 1_000_000_000_123_456_789UL;

        Assert.Equal(WasiErrno.Success, harness.Call("fd_filestat_set_times", I32(fd), I64(0L), I64(Mtime), I32((uint)WasiFstFlags.Mtim)));

        var stat = harness.FdFilestat(fd);
        Assert.Equal(Mtime, stat.Mtime);
        Assert.NotEqual(0UL, stat.Atime);
        Assert.Equal(WasiErrno.Inval, harness.Call("fd_filestat_set_times", I32(fd), I64(0L), I64(0L), I32((uint)(WasiFstFlags.Mtim | WasiFstFlags.MtimNow))));
    }

    [Fact]
    public void Advise_and_sync_succeed_on_a_file()
    {
        using var harness = new WasiHarness();
        var fd = harness.OpenOk(Sandbox, "a.txt", WasiOFlags.Creat);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_advise", I32(fd), I64(0L), I64(10L), I32((uint)WasiAdvice.Sequential)));
        Assert.Equal(WasiErrno.Inval, harness.Call("fd_advise", I32(fd), I64(0L), I64(10L), I32(6)));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_sync", I32(fd)));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_datasync", I32(fd)));
    }

    [Fact]
    public void A_descriptor_opened_for_reading_cannot_write_and_rights_only_shrink()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("r.txt"), "data");
        var fd = harness.OpenOk(Sandbox, "r.txt", rights: ReadRights);

        Assert.Equal(WasiErrno.Badf, harness.Write(fd, "x").Errno);
        Assert.Equal(ReadRights, harness.Fdstat(fd).Base);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_fdstat_set_rights", I32(fd), I64((ulong)WasiRights.FdRead), I64(0L)));
        Assert.Equal(WasiRights.FdRead, harness.Fdstat(fd).Base);
        var position = harness.Alloc(8);
        Assert.Equal(WasiErrno.Notcapable, harness.Call("fd_seek", I32(fd), I64(1L), I32(0), I32(position)));
        Assert.Equal(WasiErrno.Notcapable, harness.Call("fd_fdstat_set_rights", I32(fd), I64((ulong)ReadRights), I64(0L)));
        Assert.Equal((WasiErrno.Success, "data"), harness.Read(fd));
    }

    [Fact]
    public void Close_frees_the_number_for_the_next_open_and_a_closed_number_is_BADF()
    {
        using var harness = new WasiHarness();
        var first = harness.OpenOk(Sandbox, "1.txt", WasiOFlags.Creat);
        var second = harness.OpenOk(Sandbox, "2.txt", WasiOFlags.Creat);

        Assert.Equal(5u, first);
        Assert.Equal(6u, second);
        Assert.Equal(WasiErrno.Success, harness.Call("fd_close", I32(first)));
        Assert.Equal(WasiErrno.Badf, harness.Call("fd_close", I32(first)));
        Assert.Equal(WasiErrno.Badf, harness.Write(first, "x").Errno);
        Assert.Equal(5u, harness.OpenOk(Sandbox, "3.txt", WasiOFlags.Creat));
    }

    [Fact]
    public void Renumber_moves_a_descriptor_over_another()
    {
        using var harness = new WasiHarness();
        var first = harness.OpenOk(Sandbox, "1.txt", WasiOFlags.Creat);
        var second = harness.OpenOk(Sandbox, "2.txt", WasiOFlags.Creat);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_renumber", I32(first), I32(second)));
        harness.Write(second, "moved");

        Assert.Equal("moved", File.ReadAllText(harness.InSandbox("1.txt")));
        Assert.Equal("", File.ReadAllText(harness.InSandbox("2.txt")));
        Assert.Equal(WasiErrno.Badf, harness.Call("fd_close", I32(first)));
        Assert.Equal(WasiErrno.Badf, harness.Call("fd_renumber", I32(99), I32(second)));
    }

    [Fact]
    public void Dispose_closes_every_host_file_the_guest_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // reads /proc/self/fd
        }

        var harness = new WasiHarness();
        var paths = Enumerable.Range(0, 5).Select(i => harness.InSandbox($"f{i}.txt")).ToList();
        foreach (var path in paths)
        {
            harness.OpenOk(Sandbox, Path.GetFileName(path), WasiOFlags.Creat);
        }

        Assert.All(paths, path => Assert.Contains(path, OpenFiles()));
        harness.Wasi.Dispose();

        var stillOpen = OpenFiles();
        Assert.All(paths, path => Assert.DoesNotContain(path, stillOpen));
        Assert.Equal(WasiErrno.Badf, harness.Write(1, "x").Errno);
        harness.Dispose();

        // What this process has open, by path (Linux's /proc/self/fd links), whatever other tests do meanwhile.
        static HashSet<string> OpenFiles() =>
            [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(link => link.LinkTarget ?? "")];
    }

    [Fact]
    public void A_guest_cannot_hold_more_than_the_descriptor_limit()
    {
        using var harness = new WasiHarness();
        var errno = WasiErrno.Success;
        var opened = 0;
        while (errno == WasiErrno.Success && opened < 2 * FileDescriptorTable.MaxOpen)
        {
            // Directories hold no host handle here, so this exercises the table's own limit only.
            errno = harness.Open(Sandbox, ".", WasiOFlags.Directory, rights: RightsSets.Directory).Errno;
            opened++;
        }

        Assert.Equal(WasiErrno.Mfile, errno);
        Assert.Equal(FileDescriptorTable.MaxOpen - 5 + 1, opened);
    }

    [Fact]
    public void Reading_or_seeking_a_directory_descriptor_is_refused()
    {
        using var harness = new WasiHarness();
        var position = harness.Alloc(8);

        Assert.Equal(WasiErrno.Isdir, harness.Read(Sandbox).Errno);
        Assert.Equal(WasiErrno.Badf, harness.Write(Sandbox, "x").Errno);
        Assert.Equal(WasiErrno.Isdir, harness.Call("fd_seek", I32(Sandbox), I64(0L), I32(0), I32(position)));
    }
}
