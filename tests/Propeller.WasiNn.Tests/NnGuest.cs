using System.Buffers.Binary;
using System.Text;
using Propeller.Core.Commands;
using Propeller.Wasm;
using Propeller.Wasm.Commands;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// Plays a guest against one instance of <c>wasi_ephemeral_nn</c>: lays out graph builders, tensors
/// and out-pointers in a 1 MiB linear memory exactly as wasi-nn.witx says, and calls the host
/// functions with i32 arguments as the engine would. What the "guest" wrote to stderr is kept.
/// </summary>
internal sealed class NnGuest : IDisposable
{
    public const uint MemorySize = 1 << 20;

    private readonly byte[] _bytes = new byte[MemorySize];
    private readonly IHostModule _module;
    private readonly MemoryStream _stderr = new();
    private uint _next = 16;

    public NnGuest(GraphCatalog catalog, params string[] cliArgs)
    {
        Memory = new ArrayGuestMemory(_bytes);
        var line = WasmCommandLine.Parse(["-S", "nn", .. cliArgs], expectModule: false);
        _module = new WasiNnProvider(catalog).Create(line, new HostModuleContext(_stderr))!;
    }

    public GuestMemory Memory { get; set; }

    public string Stderr => Encoding.UTF8.GetString(_stderr.ToArray());

    public int Call(string function, params uint[] args)
    {
        var host = _module.Functions.Single(f => f.Name == function);
        Assert.Equal(args.Length, host.Parameters.Count);
        return host.Body(Memory, [.. args.Select(a => WasmValue.FromInt32((int)a))]).AsInt32();
    }

    /// <summary>Copies bytes into memory (8-byte aligned) and returns their address.</summary>
    public uint Put(ReadOnlySpan<byte> bytes)
    {
        var at = _next;
        bytes.CopyTo(_bytes.AsSpan((int)at));
        _next = (uint)((at + bytes.Length + 7) & ~7);
        return at;
    }

    public uint PutU32(params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Put(bytes);
    }

    public uint PutFloats(params float[] values) => Put(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>A graph_builder_array of one entry per model.</summary>
    public (uint Pointer, uint Count) Builders(params byte[][] models) =>
        (PutU32([.. models.SelectMany(m => new[] { Put(m), (uint)m.Length })]), (uint)models.Length);

    /// <summary>A 20-byte tensor: dims pointer, dims count, type (as a u32), data pointer, data bytes.</summary>
    public uint Tensor(uint typeField, uint[] dims, ReadOnlySpan<byte> data) =>
        PutU32(PutU32(dims), (uint)dims.Length, typeField, Put(data), (uint)data.Length);

    public uint Out() => PutU32(0xFFFF_FFFF);

    public uint ReadU32(uint pointer) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)pointer));

    public byte[] Read(uint pointer, int length) => _bytes.AsSpan((int)pointer, length).ToArray();

    /// <summary>load with one builder (onnx, cpu); returns the graph handle, failing the test on an errno.</summary>
    public uint Load(byte[] model)
    {
        var (builders, count) = Builders(model);
        var handle = Out();
        Assert.Equal(0, Call("load", builders, count, 1, 0, handle));
        return ReadU32(handle);
    }

    public uint InitContext(uint graph)
    {
        var handle = Out();
        Assert.Equal(0, Call("init_execution_context", graph, handle));
        return ReadU32(handle);
    }

    public void Dispose()
    {
        _module.Dispose();
        _stderr.Dispose();
    }
}
