// TEMPORARY (not committed): a minimal reader until the real Binary/ and Limits/ land.
namespace Propeller.Wasm.Binary
{
    public sealed record WasmFunctionType(IReadOnlyList<WasmValueType> Parameters, IReadOnlyList<WasmValueType> Results);
    public enum WasmExternKind : byte { Function = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 }
    public sealed record WasmImport(string Module, string Name, WasmExternKind Kind, WasmFunctionType? FunctionType);
    public sealed record WasmExport(string Name, WasmExternKind Kind, WasmFunctionType? FunctionType);
    public sealed class WasmFormatException(string m) : Exception(m);
    public sealed class WasmModuleInfo
    {
        public IReadOnlyList<WasmImport> Imports { get; private init; } = [];
        public IReadOnlyList<WasmExport> Exports { get; private init; } = [];
        public WasmFunctionType? FindExportedFunction(string name) => Exports.FirstOrDefault(e => e.Name == name && e.Kind == WasmExternKind.Function)?.FunctionType;
        public static WasmModuleInfo Parse(ReadOnlySpan<byte> m)
        {
            var b = m.ToArray(); var p = 8; var types = new List<WasmFunctionType>(); var imports = new List<WasmImport>(); var funcs = new List<int>(); var exports = new List<WasmExport>();
            uint U() { uint r = 0; int s = 0; while (true) { var x = b[p++]; r |= (uint)(x & 0x7f) << s; if ((x & 0x80) == 0) return r; s += 7; } }
            string N() { var l = (int)U(); var t = System.Text.Encoding.UTF8.GetString(b, p, l); p += l; return t; }
            void Limits() { var f = b[p++]; U(); if ((f & 1) != 0) U(); }
            while (p < b.Length)
            {
                var id = b[p++]; var size = (int)U(); var end = p + size;
                if (id == 1) { var n = U(); for (var i = 0; i < n; i++) { p++; var pc = U(); var ps = new List<WasmValueType>(); for (var j = 0; j < pc; j++) ps.Add((WasmValueType)b[p++]); var rc = U(); var rs = new List<WasmValueType>(); for (var j = 0; j < rc; j++) rs.Add((WasmValueType)b[p++]); types.Add(new(ps, rs)); } }
                else if (id == 2) { var n = U(); for (var i = 0; i < n; i++) { var mod = N(); var nm = N(); var k = b[p++]; if (k == 0) { var t = (int)U(); funcs.Add(t); imports.Add(new(mod, nm, WasmExternKind.Function, types[t])); } else if (k == 1) { p++; Limits(); imports.Add(new(mod, nm, WasmExternKind.Table, null)); } else if (k == 2) { Limits(); imports.Add(new(mod, nm, WasmExternKind.Memory, null)); } else { p += 2; imports.Add(new(mod, nm, WasmExternKind.Global, null)); } } }
                else if (id == 3) { var n = U(); for (var i = 0; i < n; i++) funcs.Add((int)U()); }
                else if (id == 7) { var n = U(); for (var i = 0; i < n; i++) { var nm = N(); var k = (WasmExternKind)b[p++]; var idx = (int)U(); exports.Add(new(nm, k, k == WasmExternKind.Function ? types[funcs[idx]] : null)); } }
                p = end;
            }
            return new WasmModuleInfo { Imports = imports, Exports = exports };
        }
    }
}
namespace Propeller.Wasm.Limits
{
    public sealed record ModuleLimits(ulong? MaxMemoryBytes, bool MeterFuel);
    public sealed class WasmLimitException(string m) : Exception(m);
    public static class ModuleInstrumenter
    {
        public const string ImportModule = "propeller_limits";
        public const string RefuelImport = "refuel";
        public static byte[] Instrument(ReadOnlySpan<byte> module, ModuleLimits limits) => module.ToArray();
    }
}
