using System.Runtime.InteropServices;

namespace Propeller.Wasm.Binary;

/// <summary>
/// Decodes instruction sequences (function bodies and constant expressions): every opcode of the
/// features the reader accepts, with its immediates, and the nesting of blocks. When asked, it records
/// the rewritable places: function indices (<c>call</c>, <c>return_call</c>, <c>ref.func</c>) and fuel
/// checks with their costs (a function's entry and every loop's start).
/// </summary>
/// <remarks>
/// A region is the straight-line code one fuel check pays for: the function body, or a loop's body,
/// each without the bodies of the loops nested in it (they have their own checks). Its cost is its
/// number of instructions, between 1 and <see cref="MaximumCost"/>.
/// </remarks>
internal sealed class CodeScanner(ModuleStructure module, bool recordPatches)
{
    /// <summary>The highest cost one fuel check charges.</summary>
    public const int MaximumCost = 10_000;

    private readonly List<Frame> _frames = [];
    private readonly List<int> _regionCounts = [];
    private readonly List<int> _regionPatches = [];

    private enum FrameKind : byte
    {
        Outermost,
        Block,
        Loop,
        If,
        Else,
        Try,
        Catch,
        CatchAll,
        TryTable,
    }

    /// <summary>Reads one function body: the reader stands at its locals and its limit is the body's end.</summary>
    public void ScanBody(ref WasmReader reader)
    {
        var groupsStart = reader.Position;
        var groups = reader.ReadCount("local declarations", 2);
        ulong locals = 0;
        for (var i = 0; i < groups; i++)
        {
            locals += reader.ReadU32("a local count");
            if (locals > uint.MaxValue)
            {
                throw new WasmFormatException("a function declares more than 2^32 - 1 locals", groupsStart);
            }

            ValueTypes.Skip(ref reader);
        }

        Scan(ref reader, isBody: true);
        if (!reader.AtLimit)
        {
            throw new WasmFormatException($"the function body continues after its final end (it ends at byte offset {reader.Limit})", reader.Position);
        }
    }

    /// <summary>Reads a constant expression up to and including its <c>end</c>.</summary>
    public void ScanConstantExpression(ref WasmReader reader) => Scan(ref reader, isBody: false);

    private void Scan(ref WasmReader reader, bool isBody)
    {
        var patches = module.Patches;
        var fuel = isBody && recordPatches;
        _frames.Clear();
        _regionCounts.Clear();
        _regionPatches.Clear();
        _frames.Add(new Frame(FrameKind.Outermost, 0));
        _regionCounts.Add(0);
        if (fuel)
        {
            _regionPatches.Add(patches.Count);
            patches.Add(new Patch(reader.Position, 0, PatchKind.FuelCheck, 0));
        }

        var typeCount = module.Types.Count;
        while (_frames.Count > 0)
        {
            var start = reader.Position;
            var opcode = reader.ReadByte(isBody ? "an instruction (the body ends without its final end)" : "an instruction (the expression ends without end)");
            var region = _frames[^1].Region;
            CollectionsMarshal.AsSpan(_regionCounts)[region]++;
            switch (opcode)
            {
                case 0x00: // unreachable
                case 0x01: // nop
                case 0x0A: // throw_ref
                case 0x0F: // return
                case 0x1A: // drop
                case 0x1B: // select
                case 0xD1: // ref.is_null
                case 0xD4: // ref.as_non_null
                    break;
                case 0x02: // block
                    ValueTypes.ReadBlockType(ref reader, typeCount);
                    _frames.Add(new Frame(FrameKind.Block, region));
                    break;
                case 0x03: // loop
                    ValueTypes.ReadBlockType(ref reader, typeCount);
                    var loopRegion = _regionCounts.Count;
                    _regionCounts.Add(0);
                    if (fuel)
                    {
                        _regionPatches.Add(patches.Count);
                        patches.Add(new Patch(reader.Position, 0, PatchKind.FuelCheck, 0));
                    }

                    _frames.Add(new Frame(FrameKind.Loop, loopRegion));
                    break;
                case 0x04: // if
                    ValueTypes.ReadBlockType(ref reader, typeCount);
                    _frames.Add(new Frame(FrameKind.If, region));
                    break;
                case 0x05: // else
                    ExpectFrame(FrameKind.If, FrameKind.If, "else", start);
                    _frames[^1] = _frames[^1] with { Kind = FrameKind.Else };
                    break;
                case 0x06: // try (legacy exceptions)
                    ValueTypes.ReadBlockType(ref reader, typeCount);
                    _frames.Add(new Frame(FrameKind.Try, region));
                    break;
                case 0x07: // catch tag
                    ExpectFrame(FrameKind.Try, FrameKind.Catch, "catch", start);
                    reader.ReadU32("a tag index");
                    _frames[^1] = _frames[^1] with { Kind = FrameKind.Catch };
                    break;
                case 0x19: // catch_all
                    ExpectFrame(FrameKind.Try, FrameKind.Catch, "catch_all", start);
                    _frames[^1] = _frames[^1] with { Kind = FrameKind.CatchAll };
                    break;
                case 0x18: // delegate label: ends a try that has no catch
                    ExpectFrame(FrameKind.Try, FrameKind.Try, "delegate", start);
                    reader.ReadU32("a label");
                    _frames.RemoveAt(_frames.Count - 1);
                    break;
                case 0x08: // throw tag
                    reader.ReadU32("a tag index");
                    break;
                case 0x09: // rethrow label
                case 0x0C: // br
                case 0x0D: // br_if
                case 0xD5: // br_on_null
                case 0xD6: // br_on_non_null
                    reader.ReadU32("a label");
                    break;
                case 0x0B: // end
                    _frames.RemoveAt(_frames.Count - 1);
                    break;
                case 0x0E: // br_table
                    var targets = reader.ReadCount("br_table's labels");
                    for (var i = 0; i <= targets; i++)
                    {
                        reader.ReadU32("a label");
                    }

                    break;
                case 0x10: // call
                case 0x12: // return_call
                case 0xD2: // ref.func
                    ReadFunctionIndex(ref reader);
                    break;
                case 0x11: // call_indirect type table
                case 0x13: // return_call_indirect
                    ReadTypeIndex(ref reader);
                    reader.ReadU32("a table index");
                    break;
                case 0x14: // call_ref type
                case 0x15: // return_call_ref
                    ReadTypeIndex(ref reader);
                    break;
                case 0x1C: // select with types
                    var types = reader.ReadCount("select's types");
                    for (var i = 0; i < types; i++)
                    {
                        ValueTypes.Skip(ref reader);
                    }

                    break;
                case 0x1F: // try_table blocktype catches
                    ValueTypes.ReadBlockType(ref reader, typeCount);
                    var catches = reader.ReadCount("try_table's catch clauses", 2);
                    for (var i = 0; i < catches; i++)
                    {
                        var clauseStart = reader.Position;
                        var clause = reader.ReadByte("a catch clause");
                        if (clause > 3)
                        {
                            throw new WasmFormatException($"unknown catch clause kind {clause}", clauseStart);
                        }

                        if (clause <= 1)
                        {
                            reader.ReadU32("a tag index");
                        }

                        reader.ReadU32("a label");
                    }

                    _frames.Add(new Frame(FrameKind.TryTable, region));
                    break;
                case >= 0x20 and <= 0x26: // local.get/set/tee, global.get/set, table.get/set
                    reader.ReadU32("an index");
                    break;
                case >= 0x28 and <= 0x3E: // loads and stores
                    ReadMemoryArgument(ref reader);
                    break;
                case 0x3F: // memory.size
                case 0x40: // memory.grow
                    reader.ReadU32("a memory index");
                    break;
                case 0x41:
                    reader.ReadS32("an i32 constant");
                    break;
                case 0x42:
                    reader.ReadS64("an i64 constant");
                    break;
                case 0x43:
                    reader.Skip(4, "an f32 constant");
                    break;
                case 0x44:
                    reader.Skip(8, "an f64 constant");
                    break;
                case >= 0x45 and <= 0xC4: // numeric instructions, sign extension
                    break;
                case 0xD0: // ref.null heaptype
                    ValueTypes.ReadHeapType(ref reader, out _);
                    break;
                case 0xD3:
                    throw ValueTypes.Gc("ref.eq", start);
                case 0xFB:
                    throw ValueTypes.Gc("an 0xFB-prefixed instruction", start);
                case 0xFC:
                    ReadMiscellaneous(ref reader, start);
                    break;
                case 0xFD:
                    ReadSimd(ref reader, start);
                    break;
                case 0xFE:
                    ReadAtomic(ref reader, start);
                    break;
                default:
                    throw new WasmFormatException($"unknown opcode 0x{opcode:X2}", start);
            }
        }

        if (fuel)
        {
            var all = CollectionsMarshal.AsSpan(patches);
            for (var region = 0; region < _regionPatches.Count; region++)
            {
                all[_regionPatches[region]].Value = (uint)Math.Clamp(_regionCounts[region], 1, MaximumCost);
            }
        }
    }

    private void ExpectFrame(FrameKind first, FrameKind second, string instruction, int offset)
    {
        var kind = _frames[^1].Kind;
        if (kind != first && kind != second)
        {
            throw new WasmFormatException($"{instruction} outside the block it belongs to", offset);
        }
    }

    private void ReadFunctionIndex(ref WasmReader reader)
    {
        var start = reader.Position;
        var index = reader.ReadU32("a function index");
        if (index >= (uint)module.FunctionCount)
        {
            throw new WasmFormatException($"function index {index} is out of range (the module has {module.FunctionCount} functions)", start);
        }

        if (recordPatches)
        {
            module.Patches.Add(new Patch(start, reader.Position - start, PatchKind.FunctionIndex, index));
        }
    }

    private void ReadTypeIndex(ref WasmReader reader)
    {
        var start = reader.Position;
        var index = reader.ReadU32("a type index");
        if (index >= (uint)module.Types.Count)
        {
            throw new WasmFormatException($"type index {index} is out of range (the module declares {module.Types.Count} types)", start);
        }
    }

    /// <summary>A memory argument: alignment (bit 6 announces a memory index, multi-memory), then the offset.</summary>
    private static void ReadMemoryArgument(ref WasmReader reader)
    {
        var alignment = reader.ReadU32("a memory alignment");
        if ((alignment & 0x40) != 0)
        {
            reader.ReadU32("a memory index");
        }

        reader.ReadU32("a memory offset");
    }

    /// <summary>0xFC: saturating truncation, bulk memory and table instructions.</summary>
    private static void ReadMiscellaneous(ref WasmReader reader, int start)
    {
        var code = reader.ReadU32("an 0xFC instruction");
        switch (code)
        {
            case <= 7: // i32/i64.trunc_sat_f32/f64_s/u
                break;
            case 8: // memory.init data memory
                reader.ReadU32("a data segment index");
                reader.ReadU32("a memory index");
                break;
            case 9: // data.drop
                reader.ReadU32("a data segment index");
                break;
            case 10: // memory.copy
                reader.ReadU32("a memory index");
                reader.ReadU32("a memory index");
                break;
            case 11: // memory.fill
                reader.ReadU32("a memory index");
                break;
            case 12: // table.init element table
                reader.ReadU32("an element segment index");
                reader.ReadU32("a table index");
                break;
            case 13: // elem.drop
                reader.ReadU32("an element segment index");
                break;
            case 14: // table.copy
                reader.ReadU32("a table index");
                reader.ReadU32("a table index");
                break;
            case 15: // table.grow
            case 16: // table.size
            case 17: // table.fill
                reader.ReadU32("a table index");
                break;
            default:
                throw new WasmFormatException($"unknown opcode 0xFC {code}", start);
        }
    }

    /// <summary>0xFD: SIMD, including relaxed SIMD.</summary>
    private static void ReadSimd(ref WasmReader reader, int start)
    {
        var code = reader.ReadU32("an 0xFD instruction");
        switch (code)
        {
            case <= 0x0B: // v128.load*, v128.store
            case 0x5C: // v128.load32_zero
            case 0x5D: // v128.load64_zero
                ReadMemoryArgument(ref reader);
                break;
            case 0x0C: // v128.const
            case 0x0D: // i8x16.shuffle
                reader.Skip(16, "a 16-byte immediate");
                break;
            case >= 0x15 and <= 0x22: // extract_lane, replace_lane
                reader.ReadByte("a lane index");
                break;
            case >= 0x54 and <= 0x5B: // v128.load*_lane, v128.store*_lane
                ReadMemoryArgument(ref reader);
                reader.ReadByte("a lane index");
                break;
            default:
                if (!IsSimdWithoutImmediates(code))
                {
                    throw new WasmFormatException($"unknown opcode 0xFD {code}", start);
                }

                break;
        }
    }

    private static bool IsSimdWithoutImmediates(uint code) => code switch
    {
        >= 0x0E and <= 0x14 => true, // swizzle, splats
        >= 0x23 and <= 0x53 => true, // comparisons, bitwise, any_true
        >= 0x5E and <= 0xFF => code is not (0x9A or 0xA2 or 0xA5 or 0xA6 or 0xAF or 0xB0 or 0xB2 or 0xB3 or 0xB4
            or 0xBB or 0xC2 or 0xC5 or 0xC6 or 0xCF or 0xD0 or 0xD2 or 0xD3 or 0xD4 or 0xE2 or 0xEE),
        >= 0x100 and <= 0x113 => true, // relaxed SIMD
        _ => false,
    };

    /// <summary>0xFE: threads (atomics).</summary>
    private static void ReadAtomic(ref WasmReader reader, int start)
    {
        var code = reader.ReadU32("an 0xFE instruction");
        switch (code)
        {
            case <= 0x02: // memory.atomic.notify, wait32, wait64
            case >= 0x10 and <= 0x4E: // atomic loads, stores, read-modify-writes
                ReadMemoryArgument(ref reader);
                break;
            case 0x03: // atomic.fence
                var reservedStart = reader.Position;
                if (reader.ReadByte("atomic.fence's reserved byte") != 0)
                {
                    throw new WasmFormatException("atomic.fence's reserved byte is not zero", reservedStart);
                }

                break;
            default:
                throw new WasmFormatException($"unknown opcode 0xFE {code}", start);
        }
    }

    private readonly record struct Frame(FrameKind Kind, int Region);
}
