using System.Buffers.Binary;
using System.Text;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// A snapshot of a directory's entries for <c>fd_readdir</c>, and the <c>dirent</c> encoding.
/// </summary>
/// <remarks>
/// The cookie of an entry is its index in the snapshot, so a cookie stays meaningful across the many
/// small-buffer calls in which wasi-libc and Rust's std page through a directory; a call with cookie 0
/// (opendir, rewinddir) takes a fresh snapshot. Entries are "." and ".." and then the names in ordinal
/// order, so listings are the same on every host. Each entry is a 24-byte header — d_next (u64, the
/// cookie of the entry after it), d_ino (u64), d_namlen (u32), d_type (u8), 3 bytes of padding — followed
/// by the name without a terminating NUL. The buffer is filled completely, the last entry cut off where it
/// ends: wasi-libc takes "bufused == buf_len" to mean "maybe more", and when an entry does not fit it grows
/// its buffer and asks again from that entry's cookie.
/// </remarks>
internal sealed class DirectoryListing
{
    private const int HeaderSize = 24;

    private readonly List<Entry> _entries;

    private DirectoryListing(List<Entry> entries) => _entries = entries;

    public int Count => _entries.Count;

    /// <summary>Reads the directory's entries now. ".." of a preopen's root reports the root itself, as "/" does.</summary>
    public static DirectoryListing Read(DirectoryDescriptor directory)
    {
        var hostPath = directory.HostPath;
        var self = HostFileSystem.TryGetStatus(hostPath, followSymlink: false)
            ?? throw new WasiErrorException(WasiErrno.Noent);
        var parent = self;
        if (directory.Components.Count > 0)
        {
            var parentComponents = directory.Components.Take(directory.Components.Count - 1).ToArray();
            parent = HostFileSystem.TryGetStatus(directory.Root.HostPathOf(parentComponents), followSymlink: false) ?? self;
        }

        var entries = new List<Entry>
        {
            new("."u8.ToArray(), self.Inode, WasiFiletype.Directory),
            new(".."u8.ToArray(), parent.Inode, WasiFiletype.Directory),
        };

        var names = Directory.EnumerateFileSystemEntries(hostPath)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // lstat: a symlink is listed as a symlink, whatever it points to. An entry removed meanwhile is left out.
            var status = HostFileSystem.TryGetStatus(Path.Join(hostPath, name), followSymlink: false);
            if (status is { } found)
            {
                entries.Add(new Entry(Encoding.UTF8.GetBytes(name), found.Inode, found.Filetype));
            }
        }

        return new DirectoryListing(entries);
    }

    /// <summary>
    /// Writes entries starting at <paramref name="cookie"/> into <paramref name="buffer"/>, cutting the last one
    /// where the buffer ends. Returns the number of bytes used.
    /// </summary>
    public int WriteEntries(Span<byte> buffer, ulong cookie)
    {
        var used = 0;
        Span<byte> header = stackalloc byte[HeaderSize];
        for (var index = cookie; index < (ulong)_entries.Count && used < buffer.Length; index++)
        {
            var entry = _entries[(int)index];
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, index + 1);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], entry.Inode);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)entry.Name.Length);
            header[20] = (byte)entry.Type;
            used += CopyPart(header, buffer[used..]);
            used += CopyPart(entry.Name, buffer[used..]);
        }

        return used;

        static int CopyPart(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            var length = Math.Min(source.Length, destination.Length);
            source[..length].CopyTo(destination);
            return length;
        }
    }

    private readonly record struct Entry(byte[] Name, ulong Inode, WasiFiletype Type);
}
