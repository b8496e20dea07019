using Propeller.Wasm.Wasi;
using static Propeller.Wasm.Tests.Wasi.WasiHarness;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class ArgsEnvironTests
{
    [Fact]
    public void Args_sizes_count_every_string_with_its_NUL()
    {
        using var harness = new WasiHarness(options => new WasiOptions { Arguments = ["prog", "é", ""] });
        var count = harness.Alloc(4);
        var size = harness.Alloc(4);

        Assert.Equal(WasiErrno.Success, harness.Call("args_sizes_get", I32(count), I32(size)));

        Assert.Equal(3u, harness.Memory.ReadUInt32(count));
        Assert.Equal(5u + 3u + 1u, harness.Memory.ReadUInt32(size)); // "prog\0", "é" is 2 bytes + NUL, "\0"
    }

    [Fact]
    public void Args_get_lays_out_pointers_into_one_buffer_of_NUL_terminated_strings()
    {
        using var harness = new WasiHarness();
        var pointers = harness.Alloc(3 * 4);
        var buffer = harness.Alloc(64);

        Assert.Equal(WasiErrno.Success, harness.Call("args_get", I32(pointers), I32(buffer)));

        Assert.Equal(buffer, harness.Memory.ReadUInt32(pointers));
        Assert.Equal(buffer + 11, harness.Memory.ReadUInt32(pointers + 4));
        Assert.Equal(buffer + 13, harness.Memory.ReadUInt32(pointers + 8));
        Assert.Equal("guest.wasm\0a\0b\0", harness.Text(buffer, 15));
    }

    [Fact]
    public void Environ_is_NAME_equals_value_in_the_given_order()
    {
        using var harness = new WasiHarness(options => new WasiOptions
        {
            Environment = [new("B", "2"), new("A", "x=y"), new("EMPTY", "")],
        });
        var count = harness.Alloc(4);
        var size = harness.Alloc(4);
        var pointers = harness.Alloc(3 * 4);
        var buffer = harness.Alloc(64);

        Assert.Equal(WasiErrno.Success, harness.Call("environ_sizes_get", I32(count), I32(size)));
        Assert.Equal(WasiErrno.Success, harness.Call("environ_get", I32(pointers), I32(buffer)));

        Assert.Equal(3u, harness.Memory.ReadUInt32(count));
        Assert.Equal(17u, harness.Memory.ReadUInt32(size));
        Assert.Equal("B=2\0A=x=y\0EMPTY=\0", harness.Text(buffer, 17));
        Assert.Equal(buffer + 4, harness.Memory.ReadUInt32(pointers + 4));
        Assert.Equal(buffer + 10, harness.Memory.ReadUInt32(pointers + 8));
    }

    [Fact]
    public void No_arguments_and_no_environment_are_zero_sizes()
    {
        using var harness = new WasiHarness(options => new WasiOptions());
        var count = harness.Alloc(4);
        var size = harness.Alloc(4);
        harness.Memory.WriteUInt32(count, 99);

        Assert.Equal(WasiErrno.Success, harness.Call("environ_sizes_get", I32(count), I32(size)));

        Assert.Equal(0u, harness.Memory.ReadUInt32(count));
        Assert.Equal(0u, harness.Memory.ReadUInt32(size));
    }

    [Theory]
    [InlineData("", "v")]
    [InlineData("A=B", "v")]
    [InlineData("A", "v\0w")]
    public void Variables_a_guest_could_not_see_as_given_are_refused_up_front(string name, string value)
    {
        var options = new WasiOptions { Environment = [new(name, value)] };

        Assert.Throws<ArgumentException>(() => new WasiPreview1(options));
    }

    [Fact]
    public void An_argument_with_a_NUL_is_refused_up_front()
    {
        Assert.Throws<ArgumentException>(() => new WasiPreview1(new WasiOptions { Arguments = ["prog", "a\0b"] }));
    }
}
