using System.Buffers.Binary;
using System.Text;
using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class ReaddirTests
{
    [Fact]
    public void Entries_are_dot_dotdot_then_names_with_exact_dirent_layout()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("b.txt"), "b");
        File.WriteAllText(harness.InSandbox("a.txt"), "a");
        Directory.CreateDirectory(harness.InSandbox("sub"));
        File.CreateSymbolicLink(harness.InSandbox("link"), "a.txt");

        var entries = ReadAll(harness, Sandbox, bufferSize: 4096);

        Assert.Equal([".", "..", "a.txt", "b.txt", "link", "sub"], entries.Select(entry => entry.Name));
        Assert.Equal([1UL, 2, 3, 4, 5, 6], entries.Select(entry => entry.Next));
        Assert.Equal(
            [WasiFiletype.Directory, WasiFiletype.Directory, WasiFiletype.RegularFile, WasiFiletype.RegularFile, WasiFiletype.SymbolicLink, WasiFiletype.Directory],
            entries.Select(entry => entry.Type));
        var aStat = harness.PathFilestat(Sandbox, "a.txt").Stat;
        Assert.Equal(aStat.Inode, entries[2].Inode);
        Assert.Equal(harness.FdFilestat(Sandbox).Inode, entries[0].Inode);
    }

    [Fact]
    public void The_buffer_is_filled_to_the_end_and_the_last_entry_is_cut_where_it_ends()
    {
        using var harness = new WasiHarness();
        File.WriteAllText(harness.InSandbox("a-long-file-name.txt"), "");
        var buffer = harness.Alloc(64);
        var used = harness.Alloc(4);

        // "." is 25 bytes and ".." 26: 51 so far, then 13 bytes of the third header.
        Assert.Equal(WasiErrno.Success, harness.Call("fd_readdir", I32(Sandbox), I32(buffer), I32(64), I64(0L), I32(used)));

        Assert.Equal(64u, harness.Memory.ReadUInt32(used));
        Assert.Equal(1UL, harness.Memory.ReadUInt64(buffer));
        Assert.Equal(1u, harness.Memory.ReadUInt32(buffer + 16));
        Assert.Equal((byte)'.', harness.Memory.ReadByte(buffer + 24));
        Assert.Equal(3UL, harness.Memory.ReadUInt64(buffer + 51)); // the cut entry's d_next made it in
    }

    [Fact]
    public void Paging_with_cookies_and_a_small_buffer_lists_every_entry_once()
    {
        using var harness = new WasiHarness();
        var names = Enumerable.Range(0, 40).Select(i => $"file-{i:D2}.dat").ToList();
        foreach (var name in names)
        {
            File.WriteAllText(harness.InSandbox(name), name);
        }

        var entries = ReadAll(harness, Sandbox, bufferSize: 70);

        Assert.Equal([".", "..", .. names], entries.Select(entry => entry.Name));
    }

    [Fact]
    public void A_cookie_past_the_end_returns_nothing_and_a_file_is_not_a_directory()
    {
        using var harness = new WasiHarness();
        var buffer = harness.Alloc(256);
        var used = harness.Alloc(4);
        var file = harness.OpenOk(Sandbox, "f.txt", WasiOFlags.Creat);

        Assert.Equal(WasiErrno.Success, harness.Call("fd_readdir", I32(Sandbox), I32(buffer), I32(256), I64(0L), I32(used)));
        Assert.Equal(WasiErrno.Success, harness.Call("fd_readdir", I32(Sandbox), I32(buffer), I32(256), I64(1000L), I32(used)));
        Assert.Equal(0u, harness.Memory.ReadUInt32(used));
        Assert.Equal(WasiErrno.Notdir, harness.Call("fd_readdir", I32(file), I32(buffer), I32(256), I64(0L), I32(used)));
    }

    [Fact]
    public void A_subdirectory_opened_with_path_open_lists_its_own_entries()
    {
        using var harness = new WasiHarness();
        Directory.CreateDirectory(harness.InSandbox("sub/inner"));
        File.WriteAllText(harness.InSandbox("sub/x"), "");
        var (errno, fd) = harness.Open(Sandbox, "sub", WasiOFlags.Directory, rights: RightsSets.Directory);
        Assert.Equal(WasiErrno.Success, errno);

        var entries = ReadAll(harness, fd, bufferSize: 128);

        Assert.Equal([".", "..", "inner", "x"], entries.Select(entry => entry.Name));
        Assert.Equal(harness.FdFilestat(Sandbox).Inode, entries[1].Inode);
        Assert.Equal(WasiFiletype.Directory, harness.Fdstat(fd).Type);
    }

    private sealed record Dirent(ulong Next, ulong Inode, string Name, WasiFiletype Type);

    /// <summary>Reads a directory the way wasi-libc does: refill from the last whole entry's cookie, grow the buffer when one entry does not fit.</summary>
    private static List<Dirent> ReadAll(WasiHarness harness, uint fd, uint bufferSize)
    {
        var entries = new List<Dirent>();
        ulong cookie = 0;
        var used = harness.Alloc(4);
        while (true)
        {
            var buffer = harness.Alloc(bufferSize);
            Assert.Equal(WasiErrno.Success, harness.Call("fd_readdir", I32(fd), I32(buffer), I32(bufferSize), I64(cookie), I32(used)));
            var length = (int)harness.Memory.ReadUInt32(used);
            var bytes = harness.Memory.Slice(buffer, (uint)length).ToArray();
            var offset = 0;
            var progressed = false;
            while (offset + 24 <= length)
            {
                var nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 16));
                if (offset + 24 + nameLength > length)
                {
                    break;
                }

                var next = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
                entries.Add(new Dirent(next, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset + 8)),
                    Encoding.UTF8.GetString(bytes, offset + 24, nameLength), (WasiFiletype)bytes[offset + 20]));
                cookie = next;
                offset += 24 + nameLength;
                progressed = true;
            }

            if (length < bufferSize)
            {
                return entries;
            }

            if (!progressed)
            {
                bufferSize *= 2;
            }
        }
    }
}
