using System.Text;

namespace Propeller.WasiNn.Tests;

/// <summary>
/// Tiny ONNX models written here as protobuf bytes (ModelProto, opset 13), so backend and ABI tests
/// need no download: each is one operator whose output a test can compute by hand.
/// </summary>
internal static class OnnxModels
{
    // ONNX TensorProto.DataType values.
    public const int Float = 1;
    public const int UInt8 = 2;
    public const int Int32 = 6;
    public const int Int64 = 7;
    public const int Double = 11;

    /// <summary>y = x, for any element type; a dimension given as a string is symbolic (any size).</summary>
    public static byte[] Identity(int elementType, params object[] dims) =>
        Model(Node("Identity", ["x"], ["y"]), [Value("x", elementType, dims)], [Value("y", elementType, dims)]);

    /// <summary>y = a + b over f32 [2,3]: two inputs.</summary>
    public static byte[] Add() =>
        Model(Node("Add", ["a", "b"], ["y"]), [Value("a", Float, 2, 3), Value("b", Float, 2, 3)], [Value("y", Float, 2, 3)]);

    /// <summary>y = softmax(x) over f32 [1,N] (N symbolic), along the last axis.</summary>
    public static byte[] Softmax() =>
        Model(Node("Softmax", ["x"], ["y"]), [Value("x", Float, 1, "N")], [Value("y", Float, 1, "N")]);

    private static byte[] Model(byte[] node, byte[][] inputs, byte[][] outputs)
    {
        var graph = new Proto();
        graph.Bytes(1, node);
        graph.String(2, "test");
        foreach (var input in inputs)
        {
            graph.Bytes(11, input);
        }

        foreach (var output in outputs)
        {
            graph.Bytes(12, output);
        }

        var opset = new Proto();
        opset.String(1, "");
        opset.Varint(2, 13);

        var model = new Proto();
        model.Varint(1, 8); // ir_version
        model.String(2, "propeller-tests");
        model.Bytes(7, graph.ToArray());
        model.Bytes(8, opset.ToArray());
        return model.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, op.ToLowerInvariant());
        node.String(4, op);
        return node.ToArray();
    }

    private static byte[] Value(string name, int elementType, params object[] dims)
    {
        var shape = new Proto();
        foreach (var dim in dims)
        {
            var d = new Proto();
            if (dim is string symbol)
            {
                d.String(2, symbol);
            }
            else
            {
                d.Varint(1, Convert.ToUInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
            }

            shape.Bytes(1, d.ToArray());
        }

        var tensor = new Proto();
        tensor.Varint(1, (ulong)elementType);
        tensor.Bytes(2, shape.ToArray());
        var type = new Proto();
        type.Bytes(1, tensor.ToArray());
        var value = new Proto();
        value.String(1, name);
        value.Bytes(2, type.ToArray());
        return value.ToArray();
    }

    /// <summary>The protobuf wire format, the two field kinds these models need.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public void Varint(int field, ulong value)
        {
            Raw((ulong)field << 3);
            Raw(value);
        }

        public void Bytes(int field, byte[] value)
        {
            Raw(((ulong)field << 3) | 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _bytes.ToArray();

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.WriteByte((byte)value);
        }
    }
}
