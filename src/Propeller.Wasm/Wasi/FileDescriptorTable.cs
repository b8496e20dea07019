namespace Propeller.Wasm.Wasi;

/// <summary>
/// The guest's descriptor numbers: 0–2 are stdio, 3… the preopens in the order given, then whatever the
/// guest opens (the lowest free number, as POSIX does). The table owns the host files: closing a number
/// or disposing the table closes them.
/// </summary>
internal sealed class FileDescriptorTable : IDisposable
{
    /// <summary>How many descriptors one guest may hold; beyond it path_open fails with MFILE, as with ulimit -n.</summary>
    public const int MaxOpen = 1024;

    private readonly Dictionary<uint, WasiDescriptor> _entries = [];

    /// <summary>Gives <paramref name="descriptor"/> the lowest free number; on failure it is closed.</summary>
    public uint Add(WasiDescriptor descriptor)
    {
        if (_entries.Count >= MaxOpen)
        {
            descriptor.Dispose();
            throw new WasiErrorException(WasiErrno.Mfile);
        }

        uint fd = 0;
        while (_entries.ContainsKey(fd))
        {
            fd++;
        }

        _entries[fd] = descriptor;
        return fd;
    }

    public WasiDescriptor Get(uint fd) =>
        _entries.TryGetValue(fd, out var descriptor) ? descriptor : throw new WasiErrorException(WasiErrno.Badf);

    public bool TryGet(uint fd, out WasiDescriptor descriptor) => _entries.TryGetValue(fd, out descriptor!);

    /// <summary>The directory a path_* call starts from: BADF for a closed number, NOTDIR for a file or stream.</summary>
    public DirectoryDescriptor GetDirectory(uint fd) =>
        Get(fd) as DirectoryDescriptor ?? throw new WasiErrorException(WasiErrno.Notdir);

    public void Close(uint fd)
    {
        var descriptor = Get(fd);
        _entries.Remove(fd);
        descriptor.Dispose();
    }

    /// <summary><c>fd_renumber</c>: <paramref name="from"/> takes the number <paramref name="to"/>, closing what was there.</summary>
    public void Renumber(uint from, uint to)
    {
        var descriptor = Get(from);
        var replaced = Get(to);
        if (from == to)
        {
            return;
        }

        replaced.Dispose();
        _entries[to] = descriptor;
        _entries.Remove(from);
    }

    public void Dispose()
    {
        foreach (var descriptor in _entries.Values)
        {
            descriptor.Dispose();
        }

        _entries.Clear();
    }
}
