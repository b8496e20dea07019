using System.Text;
using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

/// <summary>
/// Every way out of a preopen we know of. Each must fail with NOTCAPABLE (or LOOP for loops) and leave
/// root/outside.txt unread and unchanged. Node's WASI follows the symlink cases (it says it is no sandbox);
/// these tests are why ours is one.
/// </summary>
public sealed class ConfinementTests
{
    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("a/../../outside.txt")]
    [InlineData("./../outside.txt")]
    [InlineData("a/b/../../../outside.txt")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("/")]
    public void Dot_dot_above_the_preopen_and_absolute_paths_are_NOTCAPABLE(string path)
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("a/b"));

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, path, rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.PathFilestat(Sandbox, path).Errno);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_is_fine()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("a/b"));
        File.WriteAllText(harness.InSandbox("in.txt"), "in");

        Assert.Equal((WasiErrno.Success, "in"), harness.Read(harness.OpenOk(Sandbox, "a/b/../../in.txt", rights: ReadRights)));
    }

    [Fact]
    public void A_symlink_to_etc_is_NOTCAPABLE_to_follow_but_visible_as_a_link()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("etc-link"), "/etc");

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "etc-link/passwd", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "etc-link", WasiOFlags.Directory, rights: RightsSets.Directory).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.PathFilestat(Sandbox, "etc-link", follow: true).Errno);
        Assert.Equal(WasiFiletype.SymbolicLink, harness.PathFilestat(Sandbox, "etc-link", follow: false).Stat.Type);
    }

    [Fact]
    public void A_symlink_to_the_preopen_itself_by_absolute_host_path_is_still_refused()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("in.txt"), "in");
        File.CreateSymbolicLink(harness.InSandbox("self"), harness.SandboxPath);

        // Link text is a host path, not a guest one: absolute link targets are never followed.
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "self/in.txt", rights: ReadRights).Errno);
    }

    [Theory]
    [InlineData("out", "../outside.txt", (int)WasiErrno.Notcapable)]
    [InlineData("sub/out", "../../outside.txt", (int)WasiErrno.Notcapable)]
    [InlineData("out", "sub/../../outside.txt", (int)WasiErrno.Notcapable)]
    [InlineData("sub/out", "../../sandbox/sub/../../outside.txt", (int)WasiErrno.Notcapable)]
    [InlineData("sub/out", "../outside.txt", (int)WasiErrno.Noent)] // the same text one level down stays inside: there is no such file
    public void A_relative_symlink_that_climbs_out_is_NOTCAPABLE(string link, string target, int expected)
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("sub"));
        File.CreateSymbolicLink(harness.InSandbox(link), target);

        Assert.Equal((WasiErrno)expected, harness.Open(Sandbox, link, rights: ReadRights).Errno);
        Assert.Equal((WasiErrno)expected, harness.PathFilestat(Sandbox, link).Errno);
    }

    [Fact]
    public void A_link_to_the_parent_used_as_a_directory_cannot_reach_outside()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("up"), "..");

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "up/outside.txt", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "up/sandbox/up/outside.txt", rights: ReadRights).Errno);
    }

    [Fact]
    public void A_chain_of_symlinks_that_ends_outside_is_NOTCAPABLE()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("d"));
        File.CreateSymbolicLink(harness.InSandbox("first"), "d/second");
        File.CreateSymbolicLink(harness.InSandbox("d/second"), "third");
        File.CreateSymbolicLink(harness.InSandbox("d/third"), "../../outside.txt");

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "first", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.PathFilestat(Sandbox, "first").Errno);
    }

    [Fact]
    public void A_chain_of_symlinks_that_stays_inside_is_followed()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("d"));
        File.WriteAllText(harness.InSandbox("real.txt"), "real");
        File.CreateSymbolicLink(harness.InSandbox("first"), "d/second");
        File.CreateSymbolicLink(harness.InSandbox("d/second"), "../real.txt");

        Assert.Equal((WasiErrno.Success, "real"), harness.Read(harness.OpenOk(Sandbox, "first", rights: ReadRights)));
    }

    [Fact]
    public void Symlink_loops_are_LOOP()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("self"), "self");
        File.CreateSymbolicLink(harness.InSandbox("ping"), "pong");
        File.CreateSymbolicLink(harness.InSandbox("pong"), "ping");

        Assert.Equal(WasiErrno.Loop, harness.Open(Sandbox, "self", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Loop, harness.Open(Sandbox, "ping", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Loop, harness.PathFilestat(Sandbox, "ping/x").Errno);
    }

    [Fact]
    public void Creating_and_removing_outside_is_NOTCAPABLE_and_changes_nothing()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "../created.txt", WasiOFlags.Creat).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.PathCall("path_create_directory", Sandbox, "../made"));
        Assert.Equal(WasiErrno.Notcapable, harness.PathCall("path_unlink_file", Sandbox, "../outside.txt"));
        Assert.Equal(WasiErrno.Notcapable, harness.PathCall("path_remove_directory", Sandbox, "../readonly"));
        Assert.Equal(WasiErrno.Notcapable, harness.Symlink("x", Sandbox, "../planted"));

        Assert.False(File.Exists(Path.Combine(harness.RootPath, "created.txt")));
        Assert.False(Directory.Exists(Path.Combine(harness.RootPath, "made")));
        Assert.Equal("secret", File.ReadAllText(harness.OutsidePath));
        Assert.True(Directory.Exists(harness.ReadOnlyPath));
    }

    [Fact]
    public void Creating_through_a_symlink_that_points_outside_is_NOTCAPABLE()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("escape"), "../new-outside.txt");
        File.CreateSymbolicLink(harness.InSandbox("up"), "..");

        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "escape", WasiOFlags.Creat).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "up/new-outside.txt", WasiOFlags.Creat).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.PathCall("path_create_directory", Sandbox, "up/made"));

        Assert.False(File.Exists(Path.Combine(harness.RootPath, "new-outside.txt")));
        Assert.False(Directory.Exists(Path.Combine(harness.RootPath, "made")));
    }

    [Fact]
    public void Rename_and_link_with_either_end_outside_are_NOTCAPABLE()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("mine.txt"), "mine");
        File.CreateSymbolicLink(harness.InSandbox("outside-link"), "../outside.txt");

        Assert.Equal(WasiErrno.Notcapable, harness.Rename(Sandbox, "mine.txt", Sandbox, "../stolen.txt"));
        Assert.Equal(WasiErrno.Notcapable, harness.Rename(Sandbox, "../outside.txt", Sandbox, "mine-now.txt"));
        Assert.Equal(WasiErrno.Notcapable, harness.Link(Sandbox, "mine.txt", Sandbox, "../linked.txt"));
        Assert.Equal(WasiErrno.Notcapable, harness.Link(Sandbox, "../outside.txt", Sandbox, "grab.txt"));
        Assert.Equal(WasiErrno.Notcapable, harness.Link(Sandbox, "outside-link", Sandbox, "grab.txt", follow: true));

        Assert.True(File.Exists(harness.InSandbox("mine.txt")));
        Assert.False(File.Exists(Path.Combine(harness.RootPath, "stolen.txt")));
        Assert.False(File.Exists(Path.Combine(harness.RootPath, "linked.txt")));
        Assert.False(File.Exists(harness.InSandbox("grab.txt")));
        Assert.Equal("secret", File.ReadAllText(harness.OutsidePath));
    }

    [Fact]
    public void Renaming_a_symlink_moves_the_link_not_what_it_points_to()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("outside-link"), "../outside.txt");

        Assert.Equal(WasiErrno.Success, harness.Rename(Sandbox, "outside-link", Sandbox, "renamed-link"));
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "renamed-link", rights: ReadRights).Errno);
        Assert.Equal("secret", File.ReadAllText(harness.OutsidePath));
    }

    [Fact]
    public void Path_symlink_refuses_absolute_targets_and_stores_relative_ones_that_cannot_be_followed_out()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Notcapable, harness.Symlink("/etc", Sandbox, "etc"));
        Assert.False(File.Exists(harness.InSandbox("etc")) || Directory.Exists(harness.InSandbox("etc")));
        Assert.Equal(WasiErrno.Success, harness.Symlink("../outside.txt", Sandbox, "sneaky"));
        Assert.Equal(WasiErrno.Notcapable, harness.Open(Sandbox, "sneaky", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Noent, harness.Symlink("", Sandbox, "empty"));
    }

    [Fact]
    public void Set_times_through_an_escaping_link_is_NOTCAPABLE()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("outside-link"), "../outside.txt");
        var before = File.GetLastWriteTimeUtc(harness.OutsidePath);
        var (pointer, length) = harness.String("outside-link");

        Assert.Equal(WasiErrno.Notcapable, harness.Call("path_filestat_set_times", I32(Sandbox), I32(1), I32(pointer), I32(length),
            I64(0L), I64(0L), I32((uint)WasiFstFlags.MtimNow)));
        Assert.Equal(before, File.GetLastWriteTimeUtc(harness.OutsidePath));
    }

    [Fact]
    public void A_subdirectory_descriptor_is_confined_to_the_same_preopen()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("sub"));
        var sub = harness.Open(Sandbox, "sub", WasiOFlags.Directory, rights: RightsSets.Directory).Fd;

        Assert.Equal(WasiErrno.Notcapable, harness.Open(sub, "../../outside.txt", rights: ReadRights).Errno);
        Assert.Equal(WasiErrno.Notcapable, harness.Open(sub, "../..", WasiOFlags.Directory, rights: RightsSets.Directory).Errno);
    }

    [Fact]
    public void Paths_that_are_not_names_are_refused_before_the_host_sees_them()
    {
        using var harness = new WasiHarness();
        var result = harness.Alloc(4);
        var (nul, nulLength) = harness.Data("in\0.txt"u8.ToArray());
        var (bad, badLength) = harness.Data([0x61, 0xFF, 0x62]);

        Assert.Equal(WasiErrno.Inval, harness.Call("path_open", I32(Sandbox), I32(1), I32(nul), I32(nulLength), I32(0),
            I64((ulong)ReadRights), I64(0L), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Ilseq, harness.Call("path_open", I32(Sandbox), I32(1), I32(bad), I32(badLength), I32(0),
            I64((ulong)ReadRights), I64(0L), I32(0), I32(result)));
        Assert.Equal(WasiErrno.Nametoolong, harness.Open(Sandbox, new string('a', 5000)).Errno);
    }

    [Fact]
    public void Path_calls_on_a_file_or_closed_descriptor_fail_without_resolving()
    {
        using var harness = new WasiHarness();
        var file = harness.OpenOk(Sandbox, "f.txt", WasiOFlags.Creat);

        Assert.Equal(WasiErrno.Notdir, harness.Open(file, "x").Errno);
        Assert.Equal(WasiErrno.Badf, harness.Open(42, "x").Errno);
        Assert.Equal(WasiErrno.Notdir, harness.Open(1, "x").Errno);
    }

    [Fact]
    public void Readdir_shows_an_escaping_symlink_as_a_link_without_following_it()
    {
        using var harness = new WasiHarness();
        File.CreateSymbolicLink(harness.InSandbox("etc-link"), "/etc");
        var buffer = harness.Alloc(256);
        var used = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_readdir", I32(Sandbox), I32(buffer), I32(256), I64(0L), I32(used)));

        var listing = Encoding.UTF8.GetString(harness.Memory.Slice(buffer, harness.Memory.ReadUInt32(used)));
        Assert.Contains("etc-link", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("passwd", listing, StringComparison.Ordinal);
        Assert.Equal((byte)WasiFiletype.SymbolicLink, harness.Memory.ReadByte(buffer + 25 + 26 + 20));
    }
}
