using System.Runtime.InteropServices;
using Propeller.Testing;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// The <c>wasi_ephemeral_nn</c> ABI byte for byte (layouts, handles, errnos, Wasmtime's too_large rule)
/// over real ONNX Runtime sessions of tiny models; each test is one guest's sequence of calls.
/// </summary>
public sealed class AbiTests : IDisposable
{
    private const int Success = 0, InvalidArgument = 1, InvalidEncoding = 2, MissingMemory = 3, RuntimeError = 5,
        UnsupportedOperation = 6, TooLarge = 7, NotFound = 8;
    private const uint F32 = 1;

    private readonly GraphCatalog _catalog = GraphCatalog.WithBuiltInBackends();
    private readonly byte[] _identity = OnnxModels.Identity(OnnxModels.Float, 1, 4);

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void Load_set_input_compute_get_output_returns_the_models_output_and_its_size()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(_identity));
        var input = new[] { 1.5f, -2f, 3.25f, 0f };
        Assert.Equal(Success, guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 4], MemoryMarshal.AsBytes(input.AsSpan()))));
        Assert.Equal(Success, guest.Call("compute", context));

        var buffer = guest.Put(new byte[64]);
        var written = guest.Out();
        Assert.Equal(Success, guest.Call("get_output", context, 0, buffer, 64, written));
        Assert.Equal(16u, guest.ReadU32(written));
        Assert.Equal(input, MemoryMarshal.Cast<byte, float>(guest.Read(buffer, 16)).ToArray());
    }

    [Fact]
    public void Handles_count_from_zero_in_each_instance()
    {
        using (var guest = new NnGuest(_catalog))
        {
            Assert.Equal(0u, guest.Load(_identity));
            Assert.Equal(1u, guest.Load(_identity));
            Assert.Equal(0u, guest.InitContext(1));
            Assert.Equal(1u, guest.InitContext(0));
        }

        using var other = new NnGuest(_catalog);
        Assert.Equal(0u, other.Load(_identity));
        Assert.Equal(0u, other.InitContext(0));
    }

    [Fact]
    public void Get_output_into_a_buffer_too_small_is_too_large_and_writes_nothing()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(_identity));
        guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 4], new byte[16]));
        guest.Call("compute", context);
        var buffer = guest.Put(Enumerable.Repeat((byte)0xAA, 16).ToArray());
        var written = guest.Out();

        Assert.Equal(TooLarge, guest.Call("get_output", context, 0, buffer, 15, written));
        Assert.All(guest.Read(buffer, 16), b => Assert.Equal(0xAA, b));
        Assert.Equal(0xFFFF_FFFFu, guest.ReadU32(written));
        Assert.Contains("output 0 is 16 bytes; the guest's buffer holds 15", guest.Stderr);
    }

    [Fact]
    public void Pointers_outside_memory_are_invalid_argument_never_a_crash()
    {
        using var guest = new NnGuest(_catalog);
        const uint outside = NnGuest.MemorySize - 2;
        var (builders, count) = guest.Builders(_identity);
        Assert.Equal(InvalidArgument, guest.Call("load", outside, 1, 1, 0, guest.Out()));
        Assert.Equal(InvalidArgument, guest.Call("load", builders, count, 1, 0, outside));
        Assert.Equal(InvalidArgument, guest.Call("load", guest.PutU32(outside, 100), 1, 1, 0, guest.Out()));
        Assert.Equal(InvalidArgument, guest.Call("load", guest.PutU32(16, 0xFFFF_FFF0), 1, 1, 0, guest.Out()));
        Assert.Equal(InvalidArgument, guest.Call("load_by_name", outside, 10, guest.Out()));

        var context = guest.InitContext(guest.Load(_identity));
        Assert.Equal(InvalidArgument, guest.Call("init_execution_context", 0, 0xFFFF_FFFF));
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, outside));
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.PutU32(outside, 2, F32, 16, 16)));
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.PutU32(guest.PutU32(1, 4), 2, F32, outside, 16)));

        guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 4], new byte[16]));
        guest.Call("compute", context);
        Assert.Equal(InvalidArgument, guest.Call("get_output", context, 0, outside, 16, guest.Out()));
        Assert.Equal(InvalidArgument, guest.Call("get_output", context, 0, guest.Put(new byte[16]), 16, outside));
        Assert.Contains("a pointer outside the guest's memory", guest.Stderr);
    }

    [Fact]
    public void Unknown_handles_are_invalid_argument()
    {
        using var guest = new NnGuest(_catalog);
        Assert.Equal(InvalidArgument, guest.Call("init_execution_context", 0, guest.Out()));
        guest.Load(_identity);
        Assert.Equal(InvalidArgument, guest.Call("init_execution_context", 7, guest.Out()));
        Assert.Equal(InvalidArgument, guest.Call("set_input", 3, 0, guest.Tensor(F32, [1, 4], new byte[16])));
        Assert.Equal(InvalidArgument, guest.Call("compute", 3));
        Assert.Equal(InvalidArgument, guest.Call("get_output", 3, 0, guest.Put(new byte[16]), 16, guest.Out()));
        Assert.Contains("graph 7 does not exist (1 loaded in this instance)", guest.Stderr);
        Assert.Contains("execution context 3 does not exist", guest.Stderr);
    }

    [Theory]
    [InlineData(0u, UnsupportedOperation, "no OpenVINO backend")]
    [InlineData(2u, UnsupportedOperation, "no tensorflow backend")]
    [InlineData(4u, UnsupportedOperation, "no tensorflowlite backend")]
    [InlineData(9u, InvalidEncoding, "graph encoding 9 does not exist")]
    public void Encodings_without_a_backend_say_so(uint encoding, int errno, string explanation)
    {
        using var guest = new NnGuest(_catalog);
        var (builders, count) = guest.Builders(_identity);
        var handle = guest.Out();
        Assert.Equal(errno, guest.Call("load", builders, count, encoding, 0, handle));
        Assert.Equal(0xFFFF_FFFFu, guest.ReadU32(handle));
        Assert.Contains(explanation, guest.Stderr);
        if (encoding == 0)
        {
            Assert.Contains("docs/wasi-nn.md", guest.Stderr);
        }
    }

    [Fact]
    public void Autodetect_with_one_builder_loads_onnx()
    {
        using var guest = new NnGuest(_catalog);
        var (builders, count) = guest.Builders(_identity);
        Assert.Equal(Success, guest.Call("load", builders, count, 5, 0, guest.Out()));
    }

    [Fact]
    public void Onnx_takes_one_builder_and_a_model_it_can_read()
    {
        using var guest = new NnGuest(_catalog);
        var (two, count) = guest.Builders(_identity, _identity);
        Assert.Equal(InvalidArgument, guest.Call("load", two, count, 1, 0, guest.Out()));
        Assert.Contains("onnx takes exactly one graph builder", guest.Stderr);

        var (garbage, one) = guest.Builders("not a model"u8.ToArray());
        Assert.Equal(RuntimeError, guest.Call("load", garbage, one, 1, 0, guest.Out()));
        Assert.Contains("ONNX Runtime cannot load the model", guest.Stderr);
    }

    [Theory]
    [InlineData(1u, UnsupportedOperation)]
    [InlineData(2u, UnsupportedOperation)]
    [InlineData(3u, Success)]
    [InlineData(8u, InvalidArgument)]
    public void Targets_other_than_cpu(uint target, int errno)
    {
        using var guest = new NnGuest(_catalog);
        var (builders, count) = guest.Builders(_identity);
        Assert.Equal(errno, guest.Call("load", builders, count, 1, target, guest.Out()));
    }

    [Fact]
    public void Inputs_are_checked_against_the_model_with_errors_that_say_what_it_takes()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(_identity));
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 5], new byte[20])));
        Assert.Contains("input 0 ('x') takes f32 [1,4]; got f32 [1,5] (20 bytes)", guest.Stderr);
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(F32, [4], new byte[16])));
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(5, [1, 4], new byte[32])));
        Assert.Contains("takes f32 [1,4]; got i64 [1,4]", guest.Stderr);
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 4], new byte[12])));
        Assert.Contains("12 data bytes do not match the dimensions [1,4] of f32 (4 bytes each)", guest.Stderr);
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 1, guest.Tensor(F32, [1, 4], new byte[16])));
        Assert.Contains("the model has 1 input(s) (x); there is no input 1", guest.Stderr);
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(9, [1, 4], new byte[16])));
        Assert.Contains("tensor type 9 does not exist", guest.Stderr);
        Assert.Equal(InvalidArgument, guest.Call("set_input", context, 0, guest.Tensor(F32, [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], new byte[16])));
    }

    [Fact]
    public void Only_the_low_byte_of_the_tensor_type_is_read()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(_identity));
        Assert.Equal(Success, guest.Call("set_input", context, 0, guest.Tensor(0xDEAD_BE01, [1, 4], new byte[16])));
    }

    [Theory]
    [InlineData(OnnxModels.UInt8, 3u, 1)] // u8, current numbering
    [InlineData(OnnxModels.UInt8, 2u, 1)] // u8, crate 0.1–0.5 numbering
    [InlineData(OnnxModels.Int32, 4u, 4)] // i32, current
    [InlineData(OnnxModels.Int32, 3u, 4)] // i32, older guests
    [InlineData(OnnxModels.Double, 2u, 8)] // f64, current
    [InlineData(OnnxModels.Int64, 5u, 8)]
    public void Both_tensor_type_numberings_reach_the_model_and_data_comes_back_unchanged(int onnxType, uint code, int size)
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(OnnxModels.Identity(onnxType, 2, 3)));
        var data = Enumerable.Range(1, 6 * size).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(Success, guest.Call("set_input", context, 0, guest.Tensor(code, [2, 3], data)));
        Assert.Equal(Success, guest.Call("compute", context));
        var buffer = guest.Put(new byte[64]);
        var written = guest.Out();
        Assert.Equal(Success, guest.Call("get_output", context, 0, buffer, 64, written));
        Assert.Equal(data, guest.Read(buffer, (int)guest.ReadU32(written)));
    }

    [Fact]
    public void Calls_out_of_order_are_invalid_argument()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(OnnxModels.Add()));
        Assert.Equal(InvalidArgument, guest.Call("get_output", context, 0, guest.Put(new byte[64]), 64, guest.Out()));
        Assert.Contains("call compute before get_output", guest.Stderr);
        guest.Call("set_input", context, 0, guest.Tensor(F32, [2, 3], new byte[24]));
        Assert.Equal(InvalidArgument, guest.Call("compute", context));
        Assert.Contains("input 1 ('b', f32 [2,3]) is not set", guest.Stderr);
    }

    [Fact]
    public void A_model_with_two_inputs_adds_them()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(OnnxModels.Add()));
        float[] a = [1, 2, 3, 4, 5, 6], b = [10, 20, 30, 40, 50, 60.5f];
        guest.Call("set_input", context, 1, guest.Tensor(F32, [2, 3], MemoryMarshal.AsBytes(b.AsSpan())));
        guest.Call("set_input", context, 0, guest.Tensor(F32, [2, 3], MemoryMarshal.AsBytes(a.AsSpan())));
        Assert.Equal(Success, guest.Call("compute", context));
        var buffer = guest.Put(new byte[24]);
        Assert.Equal(Success, guest.Call("get_output", context, 0, buffer, 24, guest.Out()));
        Assert.Equal([11f, 22, 33, 44, 55, 66.5f], MemoryMarshal.Cast<byte, float>(guest.Read(buffer, 24)).ToArray());
        Assert.Equal(InvalidArgument, guest.Call("get_output", context, 1, buffer, 24, guest.Out()));
    }

    [Fact]
    public void A_symbolic_dimension_takes_any_size_and_repeated_computes_follow_the_latest_input()
    {
        using var guest = new NnGuest(_catalog);
        var context = guest.InitContext(guest.Load(OnnxModels.Softmax()));
        foreach (var values in new[] { new[] { 1f, 2f, 3f }, [0f, 0f, 0f, 0f, 0f], [5f, -5f] })
        {
            Assert.Equal(Success, guest.Call("set_input", context, 0, guest.Tensor(F32, [1, (uint)values.Length], MemoryMarshal.AsBytes(values.AsSpan()))));
            Assert.Equal(Success, guest.Call("compute", context));
            var buffer = guest.Put(new byte[values.Length * 4]);
            Assert.Equal(Success, guest.Call("get_output", context, 0, buffer, (uint)values.Length * 4, guest.Out()));
            var sum = values.Sum(v => Math.Exp(v));
            var expected = values.Select(v => (float)(Math.Exp(v) / sum)).ToArray();
            var actual = MemoryMarshal.Cast<byte, float>(guest.Read(buffer, values.Length * 4)).ToArray();
            Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
        }
    }

    [Fact]
    public void Load_by_name_finds_graphs_named_on_the_command_line_and_says_which_exist()
    {
        using var directory = new TempDirectory();
        var graphDirectory = Path.Combine(directory.Path, "doubler");
        Directory.CreateDirectory(graphDirectory);
        File.WriteAllBytes(Path.Combine(graphDirectory, "model.onnx"), _identity);

        using var guest = new NnGuest(_catalog, "-S", $"nn-graph=onnx::{graphDirectory}");
        var handle = guest.Out();
        var missing = guest.Put("cls"u8);
        Assert.Equal(NotFound, guest.Call("load_by_name", missing, 3, handle));
        Assert.Contains("no graph named `cls`; loaded: doubler", guest.Stderr);
        Assert.Equal(0xFFFF_FFFFu, guest.ReadU32(handle));

        var name = guest.Put("doubler"u8);
        Assert.Equal(Success, guest.Call("load_by_name", name, 7, handle));
        Assert.Equal(0u, guest.ReadU32(handle));
        var context = guest.InitContext(0);
        Assert.Equal(Success, guest.Call("set_input", context, 0, guest.Tensor(F32, [1, 4], new byte[16])));
        Assert.Equal(Success, guest.Call("compute", context));

        Assert.Equal(InvalidArgument, guest.Call("load_by_name", guest.Put([0xFF, 0xFE]), 2, handle));
        Assert.Contains("not UTF-8", guest.Stderr);
    }

    [Fact]
    public void Without_an_exported_memory_every_call_is_missing_memory()
    {
        using var guest = new NnGuest(_catalog) { Memory = new NoMemory() };
        Assert.Equal(MissingMemory, guest.Call("load", 0, 1, 1, 0, 0));
        Assert.Equal(MissingMemory, guest.Call("compute", 0));
        Assert.Contains("exports no memory named `memory`", guest.Stderr);
    }

    [Fact]
    public void An_instance_may_hold_only_so_many_execution_contexts()
    {
        using var guest = new NnGuest(_catalog);
        var graph = guest.Load(_identity);
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal((uint)i, guest.InitContext(graph));
        }

        Assert.Equal(RuntimeError, guest.Call("init_execution_context", graph, guest.Out()));
        Assert.Contains("too many execution contexts: one instance may hold 256", guest.Stderr);
    }

    private sealed class NoMemory : Propeller.Wasm.GuestMemory
    {
        public override bool IsExported => false;

        protected override Span<byte> Bytes => [];
    }
}
