using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class PathTests
{
    [Fact]
    public void Open_without_CREAT_needs_the_file_and_CREAT_makes_it()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Noent, harness.Open(Sandbox, "new.txt").Errno);
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "new.txt", WasiOFlags.Creat).Errno);
        Assert.True(File.Exists(harness.InSandbox("new.txt")));
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "new.txt", WasiOFlags.Creat).Errno);
    }

    [Fact]
    public void EXCL_refuses_an_existing_name_even_a_dangling_symlink()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("there.txt"), "x");
        File.CreateSymbolicLink(harness.InSandbox("dangling"), "nowhere");

        Assert.Equal(WasiErrno.Exist, harness.Open(Sandbox, "there.txt", WasiOFlags.Creat | WasiOFlags.Excl).Errno);
        Assert.Equal(WasiErrno.Exist, harness.Open(Sandbox, "dangling", WasiOFlags.Creat | WasiOFlags.Excl).Errno);
        Assert.False(File.Exists(harness.InSandbox("nowhere")));
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "fresh.txt", WasiOFlags.Creat | WasiOFlags.Excl).Errno);
    }

    [Fact]
    public void TRUNC_empties_the_file()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("full.txt"), "lots of text");

        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "full.txt", WasiOFlags.Trunc).Errno);

        Assert.Equal(0, new FileInfo(harness.InSandbox("full.txt")).Length);
    }

    [Fact]
    public void DIRECTORY_opens_directories_only()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("file.txt"), "x");
        Directory.CreateDirectory(harness.InSandbox("dir"));

        Assert.Equal(WasiErrno.Notdir, harness.Open(Sandbox, "file.txt", WasiOFlags.Directory).Errno);
        Assert.Equal(WasiErrno.Notdir, harness.Open(Sandbox, "file.txt/").Errno);
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "dir", WasiOFlags.Directory, rights: RightsSets.Directory).Errno);
        Assert.Equal(WasiErrno.Isdir, harness.Open(Sandbox, "dir", rights: FileRights).Errno);
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "dir", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, ".", WasiOFlags.Directory, rights: RightsSets.Directory).Errno);
    }

    [Fact]
    public void A_subdirectory_descriptor_resolves_paths_from_itself()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("sub"));
        File.WriteAllText(harness.InSandbox("top.txt"), "top");
        var sub = harness.Open(Sandbox, "sub", WasiOFlags.Directory, rights: RightsSets.Directory).Fd;

        var created = harness.OpenOk(sub, "inner.txt", WasiOFlags.Creat);
        harness.Write(created, "inner");
        var up = harness.OpenOk(sub, "../top.txt", rights: ReadRights);

        Assert.Equal("inner", File.ReadAllText(harness.InSandbox("sub/inner.txt")));
        Assert.Equal((WasiErrno.Success, "top"), harness.Read(up));
    }

    [Fact]
    public void Create_and_remove_directories()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Success, harness.PathCall("path_create_directory", Sandbox, "d"));
        Assert.True(Directory.Exists(harness.InSandbox("d")));
        Assert.Equal(WasiErrno.Exist, harness.PathCall("path_create_directory", Sandbox, "d"));
        Assert.Equal(WasiErrno.Noent, harness.PathCall("path_create_directory", Sandbox, "missing/d"));
        Assert.Equal(WasiErrno.Success, harness.PathCall("path_create_directory", Sandbox, "d/e/"));
        Assert.Equal(WasiErrno.Exist, harness.PathCall("path_create_directory", Sandbox, "d/e/.."));

        Assert.Equal(WasiErrno.Notempty, harness.PathCall("path_remove_directory", Sandbox, "d"));
        Assert.Equal(WasiErrno.Success, harness.PathCall("path_remove_directory", Sandbox, "d/e"));
        Assert.Equal(WasiErrno.Success, harness.PathCall("path_remove_directory", Sandbox, "d"));
        Assert.Equal(WasiErrno.Noent, harness.PathCall("path_remove_directory", Sandbox, "d"));
        Assert.Equal(WasiErrno.Inval, harness.PathCall("path_remove_directory", Sandbox, "."));
        Assert.True(Directory.Exists(harness.SandboxPath));
    }

    [Fact]
    public void Unlink_removes_files_and_symlinks_but_not_directories()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("f.txt"), "x");
        Directory.CreateDirectory(harness.InSandbox("dir"));
        File.CreateSymbolicLink(harness.InSandbox("link-to-dir"), "dir");

        Assert.Equal(WasiErrno.Success, harness.PathCall("path_unlink_file", Sandbox, "f.txt"));
        Assert.False(File.Exists(harness.InSandbox("f.txt")));
        Assert.Equal(WasiErrno.Noent, harness.PathCall("path_unlink_file", Sandbox, "f.txt"));
        Assert.Equal(WasiErrno.Isdir, harness.PathCall("path_unlink_file", Sandbox, "dir"));
        Assert.Equal(WasiErrno.Notdir, harness.PathCall("path_remove_directory", Sandbox, "link-to-dir"));
        Assert.Equal(WasiErrno.Success, harness.PathCall("path_unlink_file", Sandbox, "link-to-dir"));
        Assert.True(Directory.Exists(harness.InSandbox("dir")));
    }

    [Fact]
    public void Rename_moves_and_replaces_like_rename2()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("a.txt"), "A");
        File.WriteAllText(harness.InSandbox("b.txt"), "B");
        Directory.CreateDirectory(harness.InSandbox("dir"));

        Assert.Equal(WasiErrno.Success, harness.Rename(Sandbox, "a.txt", Sandbox, "b.txt"));
        Assert.Equal("A", File.ReadAllText(harness.InSandbox("b.txt")));
        Assert.False(File.Exists(harness.InSandbox("a.txt")));
        Assert.Equal(WasiErrno.Success, harness.Rename(Sandbox, "b.txt", Sandbox, "dir/c.txt"));
        Assert.Equal("A", File.ReadAllText(harness.InSandbox("dir/c.txt")));
        Assert.Equal(WasiErrno.Success, harness.Rename(Sandbox, "dir", Sandbox, "moved"));
        Assert.True(File.Exists(harness.InSandbox("moved/c.txt")));
        Assert.Equal(WasiErrno.Noent, harness.Rename(Sandbox, "nothing", Sandbox, "x"));
        Assert.Equal(WasiErrno.Notdir, harness.Rename(Sandbox, "moved/c.txt", Sandbox, "y/"));
    }

    [Fact]
    public void Symlinks_inside_the_preopen_are_made_read_and_followed()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("sub"));
        File.WriteAllText(harness.InSandbox("target.txt"), "via link");
        var buffer = harness.Alloc(64);
        var used = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Symlink("../target.txt", Sandbox, "sub/link"));
        var (pointer, length) = harness.String("sub/link");
        Assert.Equal(WasiErrno.Success, harness.Call("path_readlink", I32(Sandbox), I32(pointer), I32(length), I32(buffer), I32(64), I32(used)));
        Assert.Equal("../target.txt", harness.Text(buffer, harness.Memory.ReadUInt32(used)));
        Assert.Equal(WasiErrno.Success, harness.Call("path_readlink", I32(Sandbox), I32(pointer), I32(length), I32(buffer), I32(5), I32(used)));
        Assert.Equal(5u, harness.Memory.ReadUInt32(used));

        Assert.Equal((WasiErrno.Success, "via link"), harness.Read(harness.OpenOk(Sandbox, "sub/link", rights: ReadRights)));
        Assert.Equal(WasiErrno.Exist, harness.Symlink("x", Sandbox, "sub/link"));
        var (notLink, notLinkLength) = harness.String("target.txt");
        Assert.Equal(WasiErrno.Inval, harness.Call("path_readlink", I32(Sandbox), I32(notLink), I32(notLinkLength), I32(buffer), I32(64), I32(used)));
    }

    [Fact]
    public void A_final_symlink_without_SYMLINK_FOLLOW_is_LOOP_for_open_and_itself_for_filestat()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("target.txt"), "12345");
        File.CreateSymbolicLink(harness.InSandbox("link"), "target.txt");

        Assert.Equal(WasiErrno.Loop, harness.Open(Sandbox, "link", follow: false).Errno);

        var (errno, linkStat) = harness.PathFilestat(Sandbox, "link", follow: false);
        Assert.Equal(WasiErrno.Success, errno);
        Assert.Equal(WasiFiletype.SymbolicLink, linkStat.Type);
        var targetStat = harness.PathFilestat(Sandbox, "link", follow: true).Stat;
        Assert.Equal(WasiFiletype.RegularFile, targetStat.Type);
        Assert.Equal(5UL, targetStat.Size);
    }

    [Fact]
    public void A_trailing_slash_follows_a_final_symlink_to_a_directory()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("dir"));
        File.CreateSymbolicLink(harness.InSandbox("to-dir"), "dir");

        Assert.Equal(WasiErrno.Loop, harness.Open(Sandbox, "to-dir", WasiOFlags.Directory, rights: RightsSets.Directory, follow: false).Errno);
        Assert.Equal(WasiErrno.Success, harness.Open(Sandbox, "to-dir/", WasiOFlags.Directory, rights: RightsSets.Directory, follow: false).Errno);
        Assert.Equal(WasiFiletype.Directory, harness.PathFilestat(Sandbox, "to-dir/", follow: false).Stat.Type);
    }

    [Fact]
    public void Path_filestat_reports_directories_and_missing_paths()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("dir"));

        Assert.Equal(WasiFiletype.Directory, harness.PathFilestat(Sandbox, "dir").Stat.Type);
        Assert.Equal(WasiFiletype.Directory, harness.PathFilestat(Sandbox, ".").Stat.Type);
        Assert.Equal(WasiErrno.Noent, harness.PathFilestat(Sandbox, "missing").Errno);
        Assert.Equal(WasiErrno.Noent, harness.PathFilestat(Sandbox, "").Errno);
        Assert.Equal(WasiErrno.Noent, harness.PathFilestat(Sandbox, "dir/x/y").Errno);
        File.WriteAllText(harness.InSandbox("f"), "");
        Assert.Equal(WasiErrno.Notdir, harness.PathFilestat(Sandbox, "f/x").Errno);
    }

    [Fact]
    public void Path_set_times_sets_the_times_given()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("t.txt"), "x");
        var (pointer, length) = harness.String("t.txt");
        const ulong Atime = 1_100_000_000_000_000_000UL;
        const ulong Mtime = 1_200_000_000_000_000_001UL;

        Assert.Equal(WasiErrno.Success, harness.Call("path_filestat_set_times", I32(Sandbox), I32(1), I32(pointer), I32(length),
            I64(Atime), I64(Mtime), I32((uint)(WasiFstFlags.Atim | WasiFstFlags.Mtim))));

        var stat = harness.PathFilestat(Sandbox, "t.txt").Stat;
        Assert.Equal(Atime, stat.Atime);
        Assert.Equal(Mtime, stat.Mtime);
    }

    [Fact]
    public void Hard_links_share_the_file()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("orig.txt"), "shared");
        Directory.CreateDirectory(harness.InSandbox("dir"));

        Assert.Equal(WasiErrno.Success, harness.Link(Sandbox, "orig.txt", Sandbox, "copy.txt"));

        Assert.Equal("shared", File.ReadAllText(harness.InSandbox("copy.txt")));
        if (OperatingSystem.IsLinux())
        {
            var original = harness.PathFilestat(Sandbox, "orig.txt").Stat;
            var copy = harness.PathFilestat(Sandbox, "copy.txt").Stat;
            Assert.Equal(original.Inode, copy.Inode);
            Assert.Equal(2UL, copy.Links);
        }

        Assert.Equal(WasiErrno.Exist, harness.Link(Sandbox, "orig.txt", Sandbox, "copy.txt"));
        Assert.Equal(WasiErrno.Perm, harness.Link(Sandbox, "dir", Sandbox, "dir2"));
    }
}
