using System.Text;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// A write-only, in-memory sink for a guest's stdout or stderr that keeps at most <see cref="Capacity"/>
/// bytes: the first ones. Writes past the cap are counted and dropped, never refused, so a chatty guest
/// neither fails nor grows the host's memory. Safe to read from another thread while the guest writes,
/// and still readable after it is disposed (hosts read it once the guest has ended).
/// </summary>
public sealed class CappedOutput : Stream
{
    private readonly object _gate = new();
    private readonly MemoryStream _kept = new();
    private long _total;

    /// <param name="capacity">How many bytes to keep (0 keeps none and only counts).</param>
    public CappedOutput(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Every byte written, kept or not.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>The bytes written past the cap and not kept.</summary>
    public long DroppedBytes => Math.Max(0, TotalBytes - Capacity);

    /// <summary>True once more than <see cref="Capacity"/> bytes were written.</summary>
    public bool Truncated => TotalBytes > Capacity;

    /// <summary>A copy of the kept bytes.</summary>
    public byte[] ToArray()
    {
        lock (_gate)
        {
            return _kept.ToArray();
        }
    }

    /// <summary>The kept bytes as UTF-8; invalid sequences (including a character cut by the cap) become U+FFFD.</summary>
    public string ReadText() => Encoding.UTF8.GetString(ToArray());

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException("CappedOutput is write-only; use TotalBytes.");

    public override long Position
    {
        get => throw new NotSupportedException("CappedOutput is write-only.");
        set => throw new NotSupportedException("CappedOutput is write-only.");
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            _total += buffer.Length;
            var room = Capacity - (int)_kept.Length;
            if (room > 0)
            {
                _kept.Write(buffer[..Math.Min(room, buffer.Length)]);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("CappedOutput is write-only; use ReadText or ToArray.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("CappedOutput is write-only.");

    public override void SetLength(long value) => throw new NotSupportedException("CappedOutput is write-only.");

}
