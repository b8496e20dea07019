namespace Propeller.Wasm.Binary;

/// <summary>A function signature. Two signatures are equal when their parameter and result types are.</summary>
public sealed record WasmFunctionType(IReadOnlyList<WasmValueType> Parameters, IReadOnlyList<WasmValueType> Results)
{
    public bool Equals(WasmFunctionType? other) =>
        other is not null && Parameters.SequenceEqual(other.Parameters) && Results.SequenceEqual(other.Results);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var type in Parameters)
        {
            hash.Add(type);
        }

        hash.Add(-1);
        foreach (var type in Results)
        {
            hash.Add(type);
        }

        return hash.ToHashCode();
    }

    /// <summary>The signature as wasm text writes it, e.g. <c>(i32, i64) -> (i32)</c>.</summary>
    public override string ToString() =>
        $"({string.Join(", ", Parameters.Select(Text))}) -> ({string.Join(", ", Results.Select(Text))})";

    private static string Text(WasmValueType type) => type switch
    {
        WasmValueType.I32 => "i32",
        WasmValueType.I64 => "i64",
        WasmValueType.F32 => "f32",
        WasmValueType.F64 => "f64",
        WasmValueType.V128 => "v128",
        WasmValueType.FuncRef => "funcref",
        WasmValueType.ExternRef => "externref",
        _ => type.ToString(),
    };
}

/// <summary>What an import or export is, numbered as in the binary format.</summary>
public enum WasmExternKind : byte
{
    Function = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    Tag = 4,
}

/// <summary>An import; <see cref="FunctionType"/> is set for function imports.</summary>
public sealed record WasmImport(string Module, string Name, WasmExternKind Kind, WasmFunctionType? FunctionType);

/// <summary>An export; <see cref="FunctionType"/> is set for function exports.</summary>
public sealed record WasmExport(string Name, WasmExternKind Kind, WasmFunctionType? FunctionType);

/// <summary>A memory's limits in 64 KiB pages; <see cref="Shared"/> for a shared memory (threads).</summary>
public sealed record WasmMemoryLimits(ulong MinimumPages, ulong? MaximumPages, bool Shared);
