using System.Text;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests;

public class BoundedCaptureTests
{
    [Fact]
    public async Task Keeps_the_head_and_counts_everything()
    {
        var capture = new BoundedCapture(5, keepTail: false);
        await capture.ReadToEndAsync(new MemoryStream(Encoding.UTF8.GetBytes("hello world")), CancellationToken.None);
        Assert.Equal("hello", capture.Text());
        Assert.Equal(11, capture.TotalBytes);
        Assert.True(capture.Truncated);
    }

    [Fact]
    public async Task Keeps_the_tail_across_many_small_reads()
    {
        var capture = new BoundedCapture(4, keepTail: true);
        await capture.ReadToEndAsync(new TrickleStream(Encoding.UTF8.GetBytes("abcdefghij")), CancellationToken.None);
        Assert.Equal("ghij", capture.Text());
        Assert.True(capture.Truncated);
    }

    [Fact]
    public async Task Short_output_is_kept_whole()
    {
        var capture = new BoundedCapture(100, keepTail: true);
        await capture.ReadToEndAsync(new MemoryStream("ok"u8.ToArray()), CancellationToken.None);
        Assert.Equal("ok", capture.Text());
        Assert.False(capture.Truncated);
    }

    /// <summary>Hands out one byte per read, as a pipe may.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
