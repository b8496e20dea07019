namespace Propeller.Wasm.Tests;

public sealed class GuestMemoryTests
{
    [Fact]
    public void Reads_and_writes_little_endian_inside_the_memory()
    {
        var memory = new ArrayGuestMemory(new byte[16]);

        memory.WriteUInt32(4, 0x01020304);
        memory.WriteUInt64(8, 0x1122334455667788);

        Assert.Equal(0x04, memory.ReadByte(4));
        Assert.Equal(0x01020304u, memory.ReadUInt32(4));
        Assert.Equal(0x1122334455667788ul, memory.ReadUInt64(8));
    }

    [Theory]
    [InlineData(13u, 4u)]          // runs past the end by one byte
    [InlineData(16u, 1u)]          // starts at the end
    [InlineData(0xFFFFFFFFu, 2u)]  // pointer + length overflows 32 bits
    [InlineData(0u, 0xFFFFFFFFu)]  // absurd length
    public void Refuses_any_access_that_leaves_the_memory(uint pointer, uint length)
    {
        var memory = new ArrayGuestMemory(new byte[16]);

        var error = Assert.Throws<GuestMemoryOutOfBoundsException>(() => memory.Slice(pointer, length));
        Assert.Contains("out of bounds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_slice_at_the_end_is_allowed_as_wasm_allows_it()
    {
        var memory = new ArrayGuestMemory(new byte[16]);

        Assert.Equal(0, memory.Slice(16, 0).Length);
    }

    [Fact]
    public void Invalid_utf8_from_the_guest_is_refused()
    {
        var memory = new ArrayGuestMemory([0x61, 0xFF, 0x62]);

        Assert.ThrowsAny<ArgumentException>(() => memory.ReadUtf8(0, 3));
        Assert.Equal("a", memory.ReadUtf8(0, 1));
    }

    [Theory]
    [InlineData("-1", WasmValueType.I32, "-1")]
    [InlineData("4294967295", WasmValueType.I32, "-1")]
    [InlineData("9007199254740993", WasmValueType.I64, "9007199254740993")]
    [InlineData("1.5", WasmValueType.F64, "1.5")]
    [InlineData("0.25", WasmValueType.F32, "0.25")]
    public void Parses_invocation_arguments_by_type(string text, WasmValueType type, string printed)
    {
        Assert.True(WasmValue.TryParse(text, type, out var value));
        Assert.Equal(type, value.Type);
        Assert.Equal(printed, value.ToString());
    }

    [Theory]
    [InlineData("abc", WasmValueType.I32)]
    [InlineData("1.5", WasmValueType.I64)]
    [InlineData("99999999999", WasmValueType.I32)]
    public void Refuses_arguments_that_do_not_fit_the_type(string text, WasmValueType type)
    {
        Assert.False(WasmValue.TryParse(text, type, out _));
    }
}
