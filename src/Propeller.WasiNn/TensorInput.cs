namespace Propeller.WasiNn;

/// <summary>
/// A tensor as <c>set_input</c> passes it: views into the guest's memory, valid only during the call;
/// a backend copies <see cref="Data"/> once into memory of its own.
/// </summary>
public readonly ref struct TensorInput(TensorType type, ReadOnlySpan<uint> dimensions, ReadOnlySpan<byte> data)
{
    public TensorType Type { get; } = type;

    public ReadOnlySpan<uint> Dimensions { get; } = dimensions;

    public ReadOnlySpan<byte> Data { get; } = data;

    public string Describe() => $"{TensorTypes.Name(Type)} [{string.Join(",", Dimensions.ToArray())}] ({Data.Length} bytes)";
}
