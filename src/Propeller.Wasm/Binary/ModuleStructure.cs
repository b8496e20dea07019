namespace Propeller.Wasm.Binary;

/// <summary>Section ids of the binary format.</summary>
internal static class SectionId
{
    public const byte Custom = 0;
    public const byte Type = 1;
    public const byte Import = 2;
    public const byte Function = 3;
    public const byte Table = 4;
    public const byte Memory = 5;
    public const byte Global = 6;
    public const byte Export = 7;
    public const byte Start = 8;
    public const byte Element = 9;
    public const byte Code = 10;
    public const byte Data = 11;
    public const byte DataCount = 12;
    public const byte Tag = 13;

    /// <summary>The position of a known section in the required order (the tag section sits between memory and global).</summary>
    public static int Rank(byte id) => id switch
    {
        Type => 1,
        Import => 2,
        Function => 3,
        Table => 4,
        Memory => 5,
        Tag => 6,
        Global => 7,
        Export => 8,
        Start => 9,
        Element => 10,
        DataCount => 11,
        Code => 12,
        Data => 13,
        _ => -1,
    };

    public static string Name(byte id) => id switch
    {
        Custom => "custom",
        Type => "type",
        Import => "import",
        Function => "function",
        Table => "table",
        Memory => "memory",
        Global => "global",
        Export => "export",
        Start => "start",
        Element => "element",
        Code => "code",
        Data => "data",
        DataCount => "data count",
        Tag => "tag",
        _ => $"unknown ({id})",
    };
}

/// <summary>One section: <see cref="Start"/> is its id byte, the payload is [<see cref="PayloadStart"/>, <see cref="End"/>).</summary>
/// <param name="CountEnd">For vector sections, where the element count ends (the first element starts).</param>
internal readonly record struct SectionInfo(byte Id, int Start, int PayloadStart, int End, int CountEnd, string? CustomName);

/// <summary>A function body's content (locals and instructions) after its size prefix.</summary>
internal readonly record struct FunctionBody(int SizeStart, int ContentStart, int End);

/// <summary>What a rewriter may change at a place in the module.</summary>
internal enum PatchKind : byte
{
    /// <summary>A function index (LEB128) that shifts when a function import is added.</summary>
    FunctionIndex,

    /// <summary>A place (length 0) where a fuel check belongs: a function's entry or a loop's start; the value is the cost.</summary>
    FuelCheck,

    /// <summary>A defined memory's limits; the value is the memory's index.</summary>
    MemoryLimits,
}

/// <summary>A place in the module, [<see cref="Position"/>, <see cref="Position"/> + <see cref="Length"/>), that a rewriter may change.</summary>
internal struct Patch(int position, int length, PatchKind kind, uint value)
{
    public int Position = position;
    public int Length = length;
    public PatchKind Kind = kind;
    public uint Value = value;
}

/// <summary>A function type as declared; <see cref="Type"/> is null when a value type has no <see cref="WasmValueType"/>.</summary>
internal readonly record struct DeclaredType(WasmFunctionType? Type, string? Unsupported, int Offset)
{
    public bool IsNoParametersOneI32Result =>
        Type is { Parameters.Count: 0, Results: [WasmValueType.I32] };
}

internal sealed record DeclaredImport(string Module, string Name, WasmExternKind Kind, uint TypeIndex, int Offset);

internal readonly record struct DeclaredExport(string Name, WasmExternKind Kind, uint Index, int Offset);

/// <summary>Everything the reader learnt about a module, with the byte ranges a rewriter needs.</summary>
internal sealed class ModuleStructure
{
    public List<SectionInfo> Sections { get; } = [];

    public List<DeclaredType> Types { get; } = [];

    public List<DeclaredImport> Imports { get; } = [];

    public int ImportedFunctionCount { get; set; }

    public int ImportedGlobalCount { get; set; }

    /// <summary>The type index of each defined function.</summary>
    public List<uint> FunctionTypeIndices { get; } = [];

    public int DefinedGlobalCount { get; set; }

    /// <summary>Every memory, imported ones first (the memory index space).</summary>
    public List<WasmMemoryLimits> Memories { get; } = [];

    public int ImportedMemoryCount { get; set; }

    public List<DeclaredExport> Exports { get; } = [];

    public bool HasStart { get; set; }

    public List<FunctionBody> Bodies { get; } = [];

    /// <summary>The rewritable places, in module order (only when asked for).</summary>
    public List<Patch> Patches { get; } = [];

    public int FunctionCount => ImportedFunctionCount + FunctionTypeIndices.Count;

    public SectionInfo? FindSection(byte id)
    {
        foreach (var section in Sections)
        {
            if (section.Id == id)
            {
                return section;
            }
        }

        return null;
    }
}
