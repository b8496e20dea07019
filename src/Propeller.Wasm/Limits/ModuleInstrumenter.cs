using System.Globalization;
using Propeller.Wasm.Binary;

namespace Propeller.Wasm.Limits;

/// <summary>
/// Rewrites a module so that the host can stop it and bound its memory.
/// </summary>
/// <remarks>
/// <para>
/// Fuel: the module gets the import <c>propeller_limits.refuel : [] -> [i32]</c> (the last function
/// import, so every defined function's index grows by one and every reference to one is rewritten) and
/// a mutable i32 global, the fuel, after its own globals. At each function's entry and at the start of
/// each loop's body it subtracts the cost of the code that follows (its instruction count, at most
/// <c>10000</c>) and, when the fuel falls below zero, calls <c>refuel</c> and stores what it returns.
/// The host's <c>refuel</c> returns more fuel, or 0 to stop the guest, which then traps with
/// <c>unreachable</c> wherever it is: every loop iteration and every call passes a check. A trap, unlike
/// an exception thrown by the host, cannot be caught by the guest's own exception handlers
/// (<c>catch_all</c>), so a guest cannot outlive its deadline. The inserted <c>if … end</c> is closed
/// where it opens, so no existing branch depth changes.
/// </para>
/// <para>
/// Memory: each defined memory's maximum becomes at most <see cref="ModuleLimits.MaxMemoryBytes"/>
/// (in whole pages), so <c>memory.grow</c> past it returns -1; a module whose minimum is already above
/// it is refused. An imported memory is left alone: the host creates it.
/// </para>
/// </remarks>
public static class ModuleInstrumenter
{
    /// <summary>The import module the instrumentation uses; guests may not import from it themselves.</summary>
    public const string ImportModule = "propeller_limits";

    /// <summary>The host function, <c>[] -> [i32]</c>, that returns new fuel, or 0 to stop the guest.</summary>
    public const string RefuelImport = "refuel";

    private const ulong PageSize = 65536;

    /// <summary>The largest memory a 32-bit wasm memory can declare, in pages (4 GiB).</summary>
    private const ulong MaximumPages = 65536;

    /// <summary>
    /// Returns the instrumented module. Throws <see cref="WasmFormatException"/> when the input is not a
    /// module the reader accepts and <see cref="WasmLimitException"/> when it cannot run within the limits.
    /// </summary>
    public static byte[] Instrument(ReadOnlySpan<byte> module, ModuleLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var structure = ModuleParser.Parse(module, recordPatches: limits.MeterFuel || limits.MaxMemoryBytes is not null);
        foreach (var import in structure.Imports)
        {
            if (string.Equals(import.Module, ImportModule, StringComparison.Ordinal))
            {
                throw new WasmLimitException($"the module imports {import.Module}::{import.Name}, but '{ImportModule}' is a reserved import module");
            }
        }

        var memories = CapMemories(structure, limits.MaxMemoryBytes);
        if (!limits.MeterFuel && memories is null)
        {
            return module.ToArray();
        }

        using var output = new ByteWriter(module.Length + (module.Length / 4) + 64);
        var rewriter = new Rewriter(module, structure, output, limits.MeterFuel, memories);
        rewriter.Run();
        return output.ToArray();
    }

    /// <summary>The new limits of each defined memory (null for imported ones), or null when memory is not capped.</summary>
    private static WasmMemoryLimits?[]? CapMemories(ModuleStructure structure, ulong? maxMemoryBytes)
    {
        if (maxMemoryBytes is not { } maxBytes)
        {
            return null;
        }

        if (structure.Memories.Count > 1)
        {
            throw new WasmLimitException($"the module has {structure.Memories.Count} memories; a memory limit can only be enforced on a module with one memory");
        }

        var capPages = Math.Min(maxBytes / PageSize, MaximumPages);
        var capped = new WasmMemoryLimits?[structure.Memories.Count];
        for (var i = structure.ImportedMemoryCount; i < structure.Memories.Count; i++)
        {
            var memory = structure.Memories[i];
            if (memory.MinimumPages > capPages)
            {
                throw new WasmLimitException(
                    $"the module needs {memory.MinimumPages} pages ({Size(memory.MinimumPages * PageSize)}) of memory at start; the limit is {Size(maxBytes)}");
            }

            capped[i] = memory with { MaximumPages = Math.Min(memory.MaximumPages ?? capPages, capPages) };
        }

        return capped;
    }

    private static string Size(ulong bytes)
    {
        const ulong KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024;
        return bytes switch
        {
            0 => "0 bytes",
            _ when bytes % GiB == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / GiB} GiB"),
            _ when bytes % MiB == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / MiB} MiB"),
            _ when bytes % KiB == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / KiB} KiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        };
    }

    /// <summary>
    /// One pass over the input: sections are copied with their patches applied, sizes recomputed, and the
    /// new type, import and global entries (or sections) added where the section order puts them.
    /// </summary>
    private ref struct Rewriter
    {
        private readonly ReadOnlySpan<byte> _input;
        private readonly ModuleStructure _module;
        private readonly ByteWriter _output;
        private readonly bool _fuel;
        private readonly WasmMemoryLimits?[]? _memories;
        private readonly uint _refuelType;
        private readonly bool _addType;
        private readonly uint _refuelFunction;
        private readonly byte[] _checkStart;
        private readonly byte[] _checkEnd;
        private int _nextPatch;
        private bool _missingType;
        private bool _missingImport;
        private bool _missingGlobal;

        public Rewriter(ReadOnlySpan<byte> input, ModuleStructure module, ByteWriter output, bool fuel, WasmMemoryLimits?[]? memories)
        {
            _input = input;
            _module = module;
            _output = output;
            _fuel = fuel;
            _memories = memories;
            _checkStart = [];
            _checkEnd = [];
            if (!fuel)
            {
                return;
            }

            var existing = module.Types.FindIndex(type => type.IsNoParametersOneI32Result);
            _addType = existing < 0;
            _refuelType = (uint)(_addType ? module.Types.Count : existing);
            _refuelFunction = (uint)module.ImportedFunctionCount;
            var fuelGlobal = (uint)(module.ImportedGlobalCount + module.DefinedGlobalCount);
            _missingType = _addType && module.FindSection(SectionId.Type) is null;
            _missingImport = module.FindSection(SectionId.Import) is null;
            _missingGlobal = module.FindSection(SectionId.Global) is null;

            // global.get $fuel ; i32.const K ; i32.sub ; global.set $fuel ;
            // global.get $fuel ; i32.const 0 ; i32.lt_s ;
            // if ; call $refuel ; global.set $fuel ; global.get $fuel ; i32.const 0 ; i32.le_s ; if ; unreachable ; end ; end
            Span<byte> global = stackalloc byte[5];
            var globalLength = ByteWriter.EncodeU32(fuelGlobal, global);
            Span<byte> function = stackalloc byte[5];
            var functionLength = ByteWriter.EncodeU32(_refuelFunction, function);
            _checkStart = [0x23, .. global[..globalLength], 0x41];
            _checkEnd =
            [
                0x6B, 0x24, .. global[..globalLength],
                0x23, .. global[..globalLength], 0x41, 0x00, 0x48,
                0x04, 0x40, 0x10, .. function[..functionLength], 0x24, .. global[..globalLength],
                0x23, .. global[..globalLength], 0x41, 0x00, 0x4C, 0x04, 0x40, 0x00, 0x0B,
                0x0B,
            ];
        }

        public void Run()
        {
            _output.Write(_input[..ModuleParser.PreambleSize]);
            foreach (var section in _module.Sections)
            {
                if (section.Id == SectionId.Custom)
                {
                    // The name section maps function indices to names; with the indices shifted it would lie.
                    if (!(_fuel && section.CustomName == "name"))
                    {
                        _output.Write(_input[section.Start..section.End]);
                    }

                    continue;
                }

                AddMissingSections(SectionId.Rank(section.Id));
                switch (section.Id)
                {
                    case SectionId.Type when _fuel && _addType:
                    case SectionId.Import when _fuel:
                    case SectionId.Global when _fuel:
                        WriteVectorSectionWithAddition(section);
                        break;
                    case SectionId.Code:
                        WriteCodeSection(section);
                        break;
                    default:
                        _output.WriteByte(section.Id);
                        var mark = _output.BeginSized();
                        CopyPatched(section.PayloadStart, section.End);
                        _output.EndSized(mark);
                        break;
                }
            }

            AddMissingSections(int.MaxValue);
            if (_nextPatch != _module.Patches.Count)
            {
                throw new InvalidOperationException("the rewriter skipped places it should have patched");
            }
        }

        /// <summary>Writes the sections the instrumentation needs and the module lacks, before a section of <paramref name="rank"/>.</summary>
        private void AddMissingSections(int rank)
        {
            if (_missingType && rank > SectionId.Rank(SectionId.Type))
            {
                WriteNewSection(SectionId.Type);
                _missingType = false;
            }

            if (_missingImport && rank > SectionId.Rank(SectionId.Import))
            {
                WriteNewSection(SectionId.Import);
                _missingImport = false;
            }

            if (_missingGlobal && rank > SectionId.Rank(SectionId.Global))
            {
                WriteNewSection(SectionId.Global);
                _missingGlobal = false;
            }
        }

        private readonly void WriteNewSection(byte id)
        {
            _output.WriteByte(id);
            var mark = _output.BeginSized();
            _output.WriteU32(1);
            WriteAddition(id);
            _output.EndSized(mark);
        }

        /// <summary>A type, import or global section with one more element at its end.</summary>
        private void WriteVectorSectionWithAddition(SectionInfo section)
        {
            var reader = new WasmReader(_input) { Position = section.PayloadStart, Limit = section.End };
            var count = reader.ReadU32("a count");
            _output.WriteByte(section.Id);
            var mark = _output.BeginSized();
            _output.WriteU32(checked(count + 1));
            CopyPatched(section.CountEnd, section.End);
            WriteAddition(section.Id);
            _output.EndSized(mark);
        }

        private readonly void WriteAddition(byte id)
        {
            switch (id)
            {
                case SectionId.Type:
                    _output.Write([0x60, 0x00, 0x01, 0x7F]); // func [] -> [i32]
                    break;
                case SectionId.Import:
                    _output.WriteName(ImportModule);
                    _output.WriteName(RefuelImport);
                    _output.WriteByte(0x00);
                    _output.WriteU32(_refuelType);
                    break;
                case SectionId.Global:
                    _output.Write([0x7F, 0x01, 0x41, 0x00, 0x0B]); // (mut i32) (i32.const 0)
                    break;
            }
        }

        private void WriteCodeSection(SectionInfo section)
        {
            _output.WriteByte(section.Id);
            var mark = _output.BeginSized();
            _output.Write(_input[section.PayloadStart..section.CountEnd]);
            foreach (var body in _module.Bodies)
            {
                var bodyMark = _output.BeginSized();
                CopyPatched(body.ContentStart, body.End);
                _output.EndSized(bodyMark);
            }

            _output.EndSized(mark);
        }

        /// <summary>Copies [<paramref name="from"/>, <paramref name="to"/>) and applies the patches in it.</summary>
        private void CopyPatched(int from, int to)
        {
            var patches = _module.Patches;
            while (_nextPatch < patches.Count && patches[_nextPatch].Position < to)
            {
                var patch = patches[_nextPatch++];
                _output.Write(_input[from..patch.Position]);
                Apply(patch);
                from = patch.Position + patch.Length;
            }

            _output.Write(_input[from..to]);
        }

        private readonly WasmMemoryLimits? CappedMemory(uint index) => _memories is null ? null : _memories[index];

        private readonly void Apply(Patch patch)
        {
            var original = _input.Slice(patch.Position, patch.Length);
            switch (patch.Kind)
            {
                case PatchKind.FunctionIndex when _fuel:
                    // The refuel import takes the index after the imported functions; defined functions move up.
                    _output.WriteU32(patch.Value < _refuelFunction ? patch.Value : patch.Value + 1);
                    break;
                case PatchKind.FuelCheck when _fuel:
                    _output.Write(_checkStart);
                    _output.WriteS32((int)patch.Value);
                    _output.Write(_checkEnd);
                    break;
                case PatchKind.MemoryLimits when CappedMemory(patch.Value) is { } limits:
                    _output.WriteByte((byte)((limits.MaximumPages.HasValue ? 1 : 0) | (limits.Shared ? 2 : 0)));
                    _output.WriteU32((uint)limits.MinimumPages);
                    if (limits.MaximumPages is { } maximum)
                    {
                        _output.WriteU32((uint)maximum);
                    }

                    break;
                default:
                    _output.Write(original);
                    break;
            }
        }
    }
}
