using Propeller.Wasm.Wasi;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class CappedOutputTests
{
    [Fact]
    public void Keeps_the_first_bytes_and_counts_the_rest()
    {
        using var output = new CappedOutput(5);

        output.Write("hello"u8);
        output.Write(" world"u8);

        Assert.Equal("hello", output.ReadText());
        Assert.Equal(11, output.TotalBytes);
        Assert.Equal(6, output.DroppedBytes);
        Assert.True(output.Truncated);
    }

    [Fact]
    public void Short_output_is_whole_and_not_truncated()
    {
        using var output = new CappedOutput(100);

        output.Write("ok\n"u8.ToArray(), 0, 3);
        output.WriteByte((byte)'!');

        Assert.Equal("ok\n!", output.ReadText());
        Assert.False(output.Truncated);
        Assert.Equal(4, output.TotalBytes);
    }

    [Fact]
    public void Invalid_UTF8_and_a_character_cut_by_the_cap_become_replacement_characters()
    {
        using var output = new CappedOutput(4);

        output.Write([0x61, 0xFF, 0x62, 0xC3, 0xA9]); // a, invalid, b, then "é" cut after its first byte

        Assert.Equal("a\uFFFDb\uFFFD", output.ReadText());
    }

    [Fact]
    public void It_is_write_only_and_stays_readable_after_dispose()
    {
        var output = new CappedOutput(10);
        output.Write("kept"u8);
        output.Dispose();

        Assert.False(output.CanRead);
        Assert.False(output.CanSeek);
        Assert.Throws<NotSupportedException>(() => output.Read(new byte[1], 0, 1));
        Assert.Throws<NotSupportedException>(() => output.Length);
        Assert.Equal("kept", output.ReadText());
        Assert.Equal("kept"u8.ToArray(), output.ToArray());
    }

    [Fact]
    public void A_zero_cap_only_counts()
    {
        using var output = new CappedOutput(0);

        output.Write("x"u8);

        Assert.Equal("", output.ReadText());
        Assert.True(output.Truncated);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CappedOutput(-1));
    }
}
