namespace Propeller.Wasm.Binary;

/// <summary>
/// What a host needs to know about a module before it instantiates it: imports and exports with their
/// signatures, the memory, whether it has a start function. <see cref="Parse"/> reads the whole module
/// (every section and instruction) and refuses malformed input with a <see cref="WasmFormatException"/>.
/// </summary>
public sealed class WasmModuleInfo
{
    private WasmModuleInfo(
        IReadOnlyList<WasmImport> imports,
        IReadOnlyList<WasmExport> exports,
        WasmMemoryLimits? memory,
        bool memoryIsImported,
        bool hasStartSection)
    {
        Imports = imports;
        Exports = exports;
        Memory = memory;
        MemoryIsImported = memoryIsImported;
        HasStartSection = hasStartSection;
    }

    public IReadOnlyList<WasmImport> Imports { get; }

    public IReadOnlyList<WasmExport> Exports { get; }

    /// <summary>The first memory (index 0), defined or imported; null when the module has none.</summary>
    public WasmMemoryLimits? Memory { get; }

    public bool MemoryIsImported { get; }

    public bool HasStartSection { get; }

    /// <summary>Reads a module; throws <see cref="WasmFormatException"/> when it is not one this project can run.</summary>
    public static WasmModuleInfo Parse(ReadOnlySpan<byte> module)
    {
        var structure = ModuleParser.Parse(module, recordPatches: false);
        return From(structure);
    }

    /// <summary>The signature of the exported function <paramref name="name"/>, or null when there is no such function export.</summary>
    public WasmFunctionType? FindExportedFunction(string name)
    {
        foreach (var export in Exports)
        {
            if (export.Kind == WasmExternKind.Function && string.Equals(export.Name, name, StringComparison.Ordinal))
            {
                return export.FunctionType;
            }
        }

        return null;
    }

    internal static WasmModuleInfo From(ModuleStructure structure)
    {
        var imports = new List<WasmImport>(structure.Imports.Count);
        var functionTypes = new List<uint>(structure.ImportedFunctionCount);
        foreach (var import in structure.Imports)
        {
            WasmFunctionType? type = null;
            if (import.Kind == WasmExternKind.Function)
            {
                type = Signature(structure, import.TypeIndex, $"the import {import.Module}::{import.Name}", import.Offset);
                functionTypes.Add(import.TypeIndex);
            }

            imports.Add(new WasmImport(import.Module, import.Name, import.Kind, type));
        }

        functionTypes.AddRange(structure.FunctionTypeIndices);
        var exports = new List<WasmExport>(structure.Exports.Count);
        foreach (var export in structure.Exports)
        {
            var type = export.Kind == WasmExternKind.Function
                ? Signature(structure, functionTypes[(int)export.Index], $"the export {export.Name}", export.Offset)
                : null;
            exports.Add(new WasmExport(export.Name, export.Kind, type));
        }

        var memory = structure.Memories.Count > 0 ? structure.Memories[0] : null;
        return new WasmModuleInfo(imports, exports, memory, structure.ImportedMemoryCount > 0, structure.HasStart);
    }

    private static WasmFunctionType Signature(ModuleStructure structure, uint typeIndex, string what, int offset)
    {
        var declared = structure.Types[(int)typeIndex];
        return declared.Type
            ?? throw new WasmFormatException($"{what} has a signature with {declared.Unsupported}, which is not supported (type {typeIndex})", offset);
    }
}
