using System.Text;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Reads a child's output stream to its end while keeping at most a fixed number of bytes: the
/// first ones (stdout, which becomes the results) or the last ones (stderr, whose tail explains a
/// failure). It keeps reading past the cap so the child never blocks on a full pipe.
/// </summary>
public sealed class BoundedCapture(int maxBytes, bool keepTail)
{
    private readonly MemoryStream _kept = new();
    private byte[] _tail = [];

    public long TotalBytes { get; private set; }

    public bool Truncated => TotalBytes > maxBytes;

    public async Task ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            TotalBytes += read;
            if (keepTail)
            {
                KeepTail(buffer.AsSpan(0, read));
            }
            else if (_kept.Length < maxBytes)
            {
                _kept.Write(buffer, 0, (int)Math.Min(read, maxBytes - _kept.Length));
            }
        }
    }

    /// <summary>The kept bytes as UTF-8 text (invalid sequences become U+FFFD).</summary>
    public string Text()
    {
        var bytes = keepTail ? _tail : _kept.ToArray();
        return Encoding.UTF8.GetString(bytes);
    }

    private void KeepTail(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= maxBytes)
        {
            _tail = chunk[^maxBytes..].ToArray();
            return;
        }

        var keep = Math.Min(_tail.Length, maxBytes - chunk.Length);
        var next = new byte[keep + chunk.Length];
        _tail.AsSpan(_tail.Length - keep).CopyTo(next);
        chunk.CopyTo(next.AsSpan(keep));
        _tail = next;
    }
}
