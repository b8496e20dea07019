using System.Globalization;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Limits;
using Propeller.Wasm.Tests.Tools;
using static Propeller.Wasm.Tests.Tools.ModuleBytes;

namespace Propeller.Wasm.Tests.Binary;

public sealed class MalformedModuleTests
{
    [Fact]
    public void Empty_input_is_not_a_module()
    {
        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse([]));

        Assert.StartsWith("not a WebAssembly module", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void An_executable_is_not_a_module()
    {
        byte[] elf = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0];

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(elf));

        Assert.Equal("not a WebAssembly module: it does not start with \\0asm (the first bytes are 7F454C46) at byte offset 0", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00 }, "unsupported version 2")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00 }, "component")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x01 }, "the version is missing")]
    public void A_wrong_or_missing_version_is_refused(byte[] module, string expected)
    {
        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Offset);
    }

    [Fact]
    public void The_smallest_module_is_just_the_preamble()
    {
        var info = WasmModuleInfo.Parse(Preamble);

        Assert.Empty(info.Imports);
        Assert.Empty(info.Exports);
        Assert.Null(info.Memory);
    }

    [Fact]
    public void Every_truncation_inside_the_code_section_is_refused_with_its_offset()
    {
        var module = Toolchain.Wat("fuel", "--enable-tail-call");
        var codeStart = CodeSectionStart(module);

        for (var length = codeStart + 1; length < module.Length; length++)
        {
            var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module.AsSpan(0, length)));
            Assert.Contains("at byte offset", error.Message, StringComparison.Ordinal);
            Assert.InRange(error.Offset!.Value, codeStart, length);
        }
    }

    [Fact]
    public void Any_prefix_of_a_real_module_is_read_or_refused_as_malformed_never_anything_else()
    {
        var module = Toolchain.Wat("simd");

        for (var length = 0; length < module.Length; length++)
        {
            AssertReadOrRefused(module.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void Corrupted_real_modules_are_read_or_refused_as_malformed_never_anything_else()
    {
        var random = new Random(20240611);
        byte[][] modules = [Toolchain.Wat("simd"), Toolchain.Wat("indices", "--enable-tail-call"), Toolchain.Wat("exceptions", "--enable-exceptions"), Guests.Compute];
        foreach (var original in modules)
        {
            for (var i = 0; i < 400; i++)
            {
                var corrupted = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    corrupted[random.Next(8, corrupted.Length)] = (byte)random.Next(256);
                }

                AssertReadOrRefused(corrupted);
            }
        }
    }

    [Fact]
    public void A_huge_declared_count_is_refused_without_allocating_it()
    {
        // A type section that claims 2^32 - 1 function types in three bytes.
        var module = Module(Section(1, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x60, 0x00, 0x00]));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal("the type count: 4294967295 elements declared but only 3 bytes remain at byte offset 10", error.Message);
    }

    [Fact]
    public void A_huge_declared_section_size_is_refused()
    {
        var module = Module([1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]);

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("the type section declares 4294967295 bytes but only 1 remain", error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.Offset);
    }

    [Fact]
    public void A_leb128_number_longer_than_five_bytes_is_refused()
    {
        var module = Module([1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]);

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("LEB128", error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.Offset);
    }

    [Fact]
    public void A_signed_constant_with_bits_beyond_32_is_refused()
    {
        // i32.const whose fifth byte sets bits the sign extension of bit 31 must leave clear.
        var module = OneFunction(0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F, 0x1A);

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("an i32 constant: LEB128", error.Message, StringComparison.Ordinal);
        Assert.Equal(CodeSectionStart(module) + 6, error.Offset);
    }

    [Fact]
    public void The_largest_signed_constants_are_read()
    {
        // i32.const -2^31, i64.const 2^63 - 1
        var module = OneFunction(
            0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1A,
            0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x1A);

        Assert.NotNull(WasmModuleInfo.Parse(module));
    }

    [Fact]
    public void A_section_whose_content_does_not_fill_its_size_is_refused()
    {
        // One type [] -> [] (3 bytes) followed by a stray byte the count does not cover.
        var module = Module(Section(1, Vector([0x60, 0x00, 0x00]), [0x00]));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal("the type section's content ends at byte offset 14, but its size says 15 at byte offset 8", error.Message);
    }

    [Fact]
    public void An_unknown_section_is_refused_with_its_offset()
    {
        var module = Module(Section(14, [0x00]));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal("unknown section id 14 at byte offset 8", error.Message);
    }

    [Fact]
    public void Sections_out_of_order_are_refused()
    {
        var module = Module(Section(3, Vector()), Section(1, Vector()));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal("the type section is out of order or repeated at byte offset 11", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "unknown opcode 0xFF")]
    [InlineData(new byte[] { 0x27 }, "unknown opcode 0x27")]
    [InlineData(new byte[] { 0xFD, 0x9A, 0x01 }, "unknown opcode 0xFD 154")]
    [InlineData(new byte[] { 0xFD, 0x94, 0x02 }, "unknown opcode 0xFD 276")]
    [InlineData(new byte[] { 0xFC, 0x12 }, "unknown opcode 0xFC 18")]
    [InlineData(new byte[] { 0xFE, 0x04 }, "unknown opcode 0xFE 4")]
    public void Unknown_opcodes_are_refused_with_their_offset(byte[] instruction, string expected)
    {
        var module = OneFunction([0x01, .. instruction]);
        var opcodeOffset = CodeSectionStart(module) + 6; // after the section id and size, body count, body size, locals, nop

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal($"{expected} at byte offset {opcodeOffset}", error.Message);
    }

    [Fact]
    public void A_body_that_ends_before_its_final_end_is_refused()
    {
        var module = Module(
            Section(1, Vector([0x60, 0x00, 0x00])),
            Section(3, Vector([0x00])),
            Section(10, Vector([0x04, 0x00, 0x02, 0x40, 0x0B]))); // block ... end, but no final end

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("the body ends without its final end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_call_to_a_function_that_does_not_exist_is_refused()
    {
        var module = OneFunction(0x10, 0x05);

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("function index 5 is out of range (the module has 1 functions)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_that_is_not_utf8_is_refused()
    {
        var module = Module(
            Section(1, Vector([0x60, 0x00, 0x00])),
            Section(2, Vector([0x02, 0xC3, 0x28, .. Name("f"), 0x00, 0x00])));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gc_instructions_are_refused_by_name()
    {
        var module = OneFunction(0xFB, 0x00, 0x00); // struct.new 0

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("GC proposal", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gc_types_are_refused_by_name()
    {
        var module = Module(Section(1, Vector([0x5F, 0x01, 0x7F, 0x01]))); // (struct (field (mut i32)))

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Equal("the module uses the GC proposal (type form 0x5F), which is not supported at byte offset 11", error.Message);
    }

    [Fact]
    public void A_64_bit_memory_is_refused_by_name()
    {
        var module = Toolchain.Wat("memory64", "--enable-memory64");

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("memory64", error.Message, StringComparison.Ordinal);
        Assert.Throws<WasmFormatException>(() => ModuleInstrumenter.Instrument(module, new ModuleLimits(1 << 20, true)));
    }

    private static void AssertReadOrRefused(byte[] module)
    {
        try
        {
            WasmModuleInfo.Parse(module);
        }
        catch (WasmFormatException)
        {
        }

        try
        {
            ModuleInstrumenter.Instrument(module, new ModuleLimits(1 << 20, MeterFuel: true));
        }
        catch (WasmFormatException)
        {
        }
        catch (WasmLimitException)
        {
        }
    }

    /// <summary>Where wasm-objdump says the code section starts (its id byte).</summary>
    private static int CodeSectionStart(byte[] module)
    {
        var line = Toolchain.SectionHeaders(module).Split('\n').Single(l => l.TrimStart().StartsWith("Code start=", StringComparison.Ordinal));
        var payloadStart = int.Parse(line.Split("start=0x")[1][..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        // objdump gives where the payload starts; the id byte and the size's LEB128 bytes come before it.
        var start = payloadStart - 2;
        while (module[start] != 10)
        {
            start--;
        }

        return start;
    }
}
