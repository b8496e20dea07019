using System.Buffers.Binary;

namespace Propeller.Wasm.Binary;

/// <summary>
/// Reads a whole module, section by section, into a <see cref="ModuleStructure"/>. It checks the
/// encoding (preamble, section order and sizes, every instruction and immediate, index ranges that
/// matter to a rewriter) but not types: the engine validates the module when it compiles it.
/// </summary>
internal static class ModuleParser
{
    private static ReadOnlySpan<byte> Magic => [0x00, 0x61, 0x73, 0x6D];

    /// <summary>The size of the preamble: magic and version.</summary>
    public const int PreambleSize = 8;

    public static ModuleStructure Parse(ReadOnlySpan<byte> bytes, bool recordPatches)
    {
        CheckPreamble(bytes);
        var module = new ModuleStructure();
        var scanner = new CodeScanner(module, recordPatches);
        var reader = new WasmReader(bytes) { Position = PreambleSize };
        var lastRank = 0;
        var declaredFunctions = -1;
        uint? dataCount = null;
        while (!reader.AtLimit)
        {
            var start = reader.Position;
            var id = reader.ReadByte("a section id");
            var sizeStart = reader.Position;
            var size = reader.ReadU32("a section size");
            var payloadStart = reader.Position;
            if (size > (uint)reader.Remaining)
            {
                throw new WasmFormatException($"the {SectionId.Name(id)} section declares {size} bytes but only {reader.Remaining} remain", sizeStart);
            }

            var end = payloadStart + (int)size;
            reader.Limit = end;
            if (id != SectionId.Custom)
            {
                var rank = SectionId.Rank(id);
                if (rank < 0)
                {
                    throw new WasmFormatException($"unknown section id {id}", start);
                }

                if (rank <= lastRank)
                {
                    throw new WasmFormatException($"the {SectionId.Name(id)} section is out of order or repeated", start);
                }

                lastRank = rank;
            }

            string? customName = null;
            switch (id)
            {
                case SectionId.Custom:
                    customName = reader.ReadName("a custom section's name");
                    reader.Position = end;
                    break;
                case SectionId.Type:
                    ReadTypes(ref reader, module);
                    break;
                case SectionId.Import:
                    ReadImports(ref reader, module);
                    break;
                case SectionId.Function:
                    declaredFunctions = ReadFunctions(ref reader, module);
                    break;
                case SectionId.Table:
                    ReadTables(ref reader, scanner);
                    break;
                case SectionId.Memory:
                    ReadMemories(ref reader, module, recordPatches);
                    break;
                case SectionId.Tag:
                    var tags = reader.ReadCount("the tag count", 2);
                    for (var i = 0; i < tags; i++)
                    {
                        ReadTagType(ref reader, module);
                    }

                    break;
                case SectionId.Global:
                    var globals = reader.ReadCount("the global count", 3);
                    for (var i = 0; i < globals; i++)
                    {
                        ReadGlobalType(ref reader);
                        scanner.ScanConstantExpression(ref reader);
                    }

                    module.DefinedGlobalCount = globals;
                    break;
                case SectionId.Export:
                    ReadExports(ref reader, module, recordPatches);
                    break;
                case SectionId.Start:
                    ReadFunctionIndex(ref reader, module, recordPatches, "the start function");
                    module.HasStart = true;
                    break;
                case SectionId.Element:
                    ReadElements(ref reader, module, scanner, recordPatches);
                    break;
                case SectionId.DataCount:
                    dataCount = reader.ReadU32("the data count");
                    break;
                case SectionId.Code:
                    ReadCode(ref reader, module, scanner, Math.Max(declaredFunctions, 0));
                    declaredFunctions = -1;
                    break;
                case SectionId.Data:
                    ReadData(ref reader, scanner, dataCount);
                    break;
            }

            if (reader.Position != end)
            {
                throw new WasmFormatException($"the {SectionId.Name(id)} section's content ends at byte offset {reader.Position}, but its size says {end}", start);
            }

            module.Sections.Add(new SectionInfo(id, start, payloadStart, end, CountEnd(bytes, id, payloadStart, end), customName));
            reader.Limit = bytes.Length;
        }

        if (declaredFunctions > 0)
        {
            throw new WasmFormatException($"the module declares {declaredFunctions} functions but has no code section", bytes.Length);
        }

        return module;
    }

    private static void CheckPreamble(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || !bytes[..4].SequenceEqual(Magic))
        {
            var head = Convert.ToHexString(bytes[..Math.Min(4, bytes.Length)]);
            throw new WasmFormatException($"not a WebAssembly module: it does not start with \\0asm (the first bytes are {(head.Length == 0 ? "missing" : head)})", 0);
        }

        if (bytes.Length < PreambleSize)
        {
            throw new WasmFormatException("not a WebAssembly module: the version is missing", 4);
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..8]);
        if (version != 1)
        {
            // Version 0x1000d is the component model's layer; anything else is not a core module either.
            throw new WasmFormatException(version == 0x1000D
                ? "not a WebAssembly module: this is a component (component model), not a core module"
                : $"not a WebAssembly module: unsupported version {version} (only version 1 exists)", 4);
        }
    }

    /// <summary>Where a vector section's count ends; for the others, the payload start.</summary>
    private static int CountEnd(ReadOnlySpan<byte> bytes, byte id, int payloadStart, int end)
    {
        if (id is SectionId.Custom or SectionId.Start or SectionId.DataCount)
        {
            return payloadStart;
        }

        var reader = new WasmReader(bytes) { Position = payloadStart, Limit = end };
        reader.ReadU32("a count");
        return reader.Position;
    }

    private static void ReadTypes(ref WasmReader reader, ModuleStructure module)
    {
        var count = reader.ReadCount("the type count", 3);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var form = reader.ReadByte("a type's form");
            if (form != 0x60)
            {
                if (form is 0x4E or 0x50 or 0x4F or 0x5F or 0x5E)
                {
                    throw ValueTypes.Gc($"type form 0x{form:X2}", start);
                }

                throw new WasmFormatException($"unknown type form 0x{form:X2} (expected 0x60, a function type)", start);
            }

            string? unsupported = null;
            var parameters = ReadResultType(ref reader, ref unsupported);
            var results = ReadResultType(ref reader, ref unsupported);
            module.Types.Add(unsupported is null
                ? new DeclaredType(new WasmFunctionType(parameters, results), null, start)
                : new DeclaredType(null, unsupported, start));
        }
    }

    private static WasmValueType[] ReadResultType(ref WasmReader reader, ref string? unsupported)
    {
        var count = reader.ReadCount("a function type's value count");
        if (count == 0)
        {
            return [];
        }

        var types = new WasmValueType[count];
        for (var i = 0; i < count; i++)
        {
            var type = ValueTypes.Read(ref reader, out var reason);
            if (type is { } known)
            {
                types[i] = known;
            }
            else
            {
                unsupported ??= reason;
            }
        }

        return types;
    }

    private static void ReadImports(ref WasmReader reader, ModuleStructure module)
    {
        var count = reader.ReadCount("the import count", 4);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var moduleName = reader.ReadName("an import's module name");
            var name = reader.ReadName("an import's name");
            var kindStart = reader.Position;
            var kind = reader.ReadByte("an import's kind");
            uint typeIndex = 0;
            switch (kind)
            {
                case 0:
                    typeIndex = ReadTypeIndex(ref reader, module);
                    module.ImportedFunctionCount++;
                    break;
                case 1:
                    ReadTableType(ref reader);
                    break;
                case 2:
                    module.Memories.Add(ReadMemoryLimits(ref reader));
                    module.ImportedMemoryCount++;
                    break;
                case 3:
                    ReadGlobalType(ref reader);
                    module.ImportedGlobalCount++;
                    break;
                case 4:
                    typeIndex = ReadTagType(ref reader, module);
                    break;
                default:
                    throw new WasmFormatException($"unknown import kind {kind}", kindStart);
            }

            module.Imports.Add(new DeclaredImport(moduleName, name, (WasmExternKind)kind, typeIndex, start));
        }
    }

    private static int ReadFunctions(ref WasmReader reader, ModuleStructure module)
    {
        var count = reader.ReadCount("the function count");
        module.FunctionTypeIndices.Capacity = count;
        for (var i = 0; i < count; i++)
        {
            module.FunctionTypeIndices.Add(ReadTypeIndex(ref reader, module));
        }

        return count;
    }

    private static void ReadTables(ref WasmReader reader, CodeScanner scanner)
    {
        var count = reader.ReadCount("the table count", 2);
        for (var i = 0; i < count; i++)
        {
            if (reader.PeekByte("a table") == 0x40)
            {
                // A table with an initializer (typed function references): 0x40 0x00 tabletype expr.
                var start = reader.Position;
                reader.Position++;
                if (reader.ReadByte("a table's reserved byte") != 0)
                {
                    throw new WasmFormatException("unknown table encoding", start);
                }

                ReadTableType(ref reader);
                scanner.ScanConstantExpression(ref reader);
            }
            else
            {
                ReadTableType(ref reader);
            }
        }
    }

    private static void ReadMemories(ref WasmReader reader, ModuleStructure module, bool recordPatches)
    {
        var count = reader.ReadCount("the memory count", 2);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            module.Memories.Add(ReadMemoryLimits(ref reader));
            if (recordPatches)
            {
                module.Patches.Add(new Patch(start, reader.Position - start, PatchKind.MemoryLimits, (uint)(module.Memories.Count - 1)));
            }
        }
    }

    private static void ReadExports(ref WasmReader reader, ModuleStructure module, bool recordPatches)
    {
        var count = reader.ReadCount("the export count", 3);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var name = reader.ReadName("an export's name");
            if (!names.Add(name))
            {
                throw new WasmFormatException($"the export name '{name}' is used twice", start);
            }

            var kindStart = reader.Position;
            var kind = reader.ReadByte("an export's kind");
            uint index;
            switch (kind)
            {
                case 0:
                    index = ReadFunctionIndex(ref reader, module, recordPatches, "an exported function");
                    break;
                case <= 4:
                    index = reader.ReadU32("an export's index");
                    break;
                default:
                    throw new WasmFormatException($"unknown export kind {kind}", kindStart);
            }

            module.Exports.Add(new DeclaredExport(name, (WasmExternKind)kind, index, start));
        }
    }

    private static void ReadElements(ref WasmReader reader, ModuleStructure module, CodeScanner scanner, bool recordPatches)
    {
        var count = reader.ReadCount("the element segment count", 2);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var flags = reader.ReadU32("an element segment's flags");
            if (flags > 7)
            {
                throw new WasmFormatException($"unknown element segment encoding {flags}", start);
            }

            // Bit 0: passive or declarative; bit 1: explicit table (active) or declarative (passive);
            // bit 2: expressions instead of function indices.
            var active = (flags & 1) == 0;
            if (active && (flags & 2) != 0)
            {
                reader.ReadU32("an element segment's table index");
            }

            if (active)
            {
                scanner.ScanConstantExpression(ref reader);
            }

            var usesExpressions = (flags & 4) != 0;
            if (flags != 0 && flags != 4)
            {
                // Everything but the two oldest encodings names the element kind or type.
                if (usesExpressions)
                {
                    ValueTypes.Skip(ref reader);
                }
                else
                {
                    var kindStart = reader.Position;
                    if (reader.ReadByte("an element kind") != 0)
                    {
                        throw new WasmFormatException("unknown element kind (expected 0x00, funcref)", kindStart);
                    }
                }
            }

            var elements = reader.ReadCount("an element segment's element count");
            for (var j = 0; j < elements; j++)
            {
                if (usesExpressions)
                {
                    scanner.ScanConstantExpression(ref reader);
                }
                else
                {
                    ReadFunctionIndex(ref reader, module, recordPatches, "an element");
                }
            }
        }
    }

    private static void ReadCode(ref WasmReader reader, ModuleStructure module, CodeScanner scanner, int declaredFunctions)
    {
        var countStart = reader.Position;
        var count = reader.ReadCount("the function body count", 2);
        if (count != declaredFunctions)
        {
            throw new WasmFormatException($"the code section has {count} function bodies but the function section declares {declaredFunctions} functions", countStart);
        }

        module.Bodies.Capacity = count;
        var sectionEnd = reader.Limit;
        for (var i = 0; i < count; i++)
        {
            var sizeStart = reader.Position;
            var size = reader.ReadU32("a function body's size");
            if (size > (uint)reader.Remaining)
            {
                throw new WasmFormatException($"function body {i} declares {size} bytes but only {reader.Remaining} remain in the code section", sizeStart);
            }

            var contentStart = reader.Position;
            var end = contentStart + (int)size;
            reader.Limit = end;
            scanner.ScanBody(ref reader);
            reader.Limit = sectionEnd;
            module.Bodies.Add(new FunctionBody(sizeStart, contentStart, end));
        }
    }

    private static void ReadData(ref WasmReader reader, CodeScanner scanner, uint? dataCount)
    {
        var countStart = reader.Position;
        var count = reader.ReadCount("the data segment count", 2);
        if (dataCount is { } declared && declared != (uint)count)
        {
            throw new WasmFormatException($"the data section has {count} segments but the data count section says {declared}", countStart);
        }

        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var flags = reader.ReadU32("a data segment's flags");
            switch (flags)
            {
                case 0:
                    scanner.ScanConstantExpression(ref reader);
                    break;
                case 1:
                    break;
                case 2:
                    reader.ReadU32("a data segment's memory index");
                    scanner.ScanConstantExpression(ref reader);
                    break;
                default:
                    throw new WasmFormatException($"unknown data segment encoding {flags}", start);
            }

            var lengthStart = reader.Position;
            var length = reader.ReadU32("a data segment's length");
            if (length > (uint)reader.Remaining)
            {
                throw new WasmFormatException($"a data segment declares {length} bytes but only {reader.Remaining} remain", lengthStart);
            }

            reader.Position += (int)length;
        }
    }

    private static uint ReadTypeIndex(ref WasmReader reader, ModuleStructure module)
    {
        var start = reader.Position;
        var index = reader.ReadU32("a type index");
        return index < (uint)module.Types.Count
            ? index
            : throw new WasmFormatException($"type index {index} is out of range (the module declares {module.Types.Count} types)", start);
    }

    private static uint ReadFunctionIndex(ref WasmReader reader, ModuleStructure module, bool recordPatches, string what)
    {
        var start = reader.Position;
        var index = reader.ReadU32(what);
        if (index >= (uint)module.FunctionCount)
        {
            throw new WasmFormatException($"{what}: function index {index} is out of range (the module has {module.FunctionCount} functions)", start);
        }

        if (recordPatches)
        {
            module.Patches.Add(new Patch(start, reader.Position - start, PatchKind.FunctionIndex, index));
        }

        return index;
    }

    private static uint ReadTagType(ref WasmReader reader, ModuleStructure module)
    {
        var start = reader.Position;
        if (reader.ReadByte("a tag's attribute") != 0)
        {
            throw new WasmFormatException("unknown tag attribute (expected 0, exception)", start);
        }

        return ReadTypeIndex(ref reader, module);
    }

    private static void ReadGlobalType(ref WasmReader reader)
    {
        ValueTypes.Skip(ref reader);
        var start = reader.Position;
        var mutability = reader.ReadByte("a global's mutability");
        if (mutability > 1)
        {
            throw new WasmFormatException($"unknown global mutability {mutability}", start);
        }
    }

    private static void ReadTableType(ref WasmReader reader)
    {
        ValueTypes.Skip(ref reader);
        var start = reader.Position;
        var flags = reader.ReadByte("a table's limits");
        switch (flags)
        {
            case 0:
                reader.ReadU32("a table's minimum size");
                break;
            case 1:
                reader.ReadU32("a table's minimum size");
                reader.ReadU32("a table's maximum size");
                break;
            case 4:
            case 5:
                throw new WasmFormatException("the module uses a 64-bit table (memory64 proposal), which is not supported", start);
            default:
                throw new WasmFormatException($"unknown table limits flags 0x{flags:X2}", start);
        }
    }

    private static WasmMemoryLimits ReadMemoryLimits(ref WasmReader reader)
    {
        var start = reader.Position;
        var flags = reader.ReadByte("a memory's limits");
        if (flags is >= 4 and <= 7)
        {
            throw new WasmFormatException("the module uses a 64-bit memory (memory64 proposal), which is not supported", start);
        }

        if (flags > 3)
        {
            throw new WasmFormatException($"unknown memory limits flags 0x{flags:X2}", start);
        }

        var minimum = reader.ReadU32("a memory's minimum size");
        uint? maximum = (flags & 1) != 0 ? reader.ReadU32("a memory's maximum size") : null;
        return new WasmMemoryLimits(minimum, maximum, Shared: (flags & 2) != 0);
    }
}
