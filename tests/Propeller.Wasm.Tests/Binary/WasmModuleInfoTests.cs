using Propeller.Wasm.Binary;
using Propeller.Wasm.Tests.Tools;
using static Propeller.Wasm.Tests.Tools.ModuleBytes;

namespace Propeller.Wasm.Tests.Binary;

public sealed class WasmModuleInfoTests
{
    private static readonly WasmValueType I32 = WasmValueType.I32;
    private static readonly WasmValueType I64 = WasmValueType.I64;

    [Fact]
    public void A_wasi_c_guest_shows_its_wasi_imports_with_their_signatures_and_its_start_export()
    {
        var info = WasmModuleInfo.Parse(Guests.Greet);

        Assert.All(info.Imports, import => Assert.Equal("wasi_snapshot_preview1", import.Module));
        Assert.All(info.Imports, import => Assert.Equal(WasmExternKind.Function, import.Kind));
        var byName = info.Imports.ToDictionary(i => i.Name, i => i.FunctionType);
        Assert.Equal(new WasmFunctionType([I32, I32, I32, I32], [I32]), byName["fd_write"]);
        Assert.Equal(new WasmFunctionType([I32], []), byName["proc_exit"]);
        Assert.Equal(new WasmFunctionType([I32, I32], [I32]), byName["args_sizes_get"]);
        Assert.Equal(new WasmFunctionType([I32, I64, I32, I32], [I32]), byName["fd_seek"]);

        Assert.Equal(new WasmFunctionType([], []), info.FindExportedFunction("_start"));
        Assert.Contains(info.Exports, e => e is { Name: "memory", Kind: WasmExternKind.Memory, FunctionType: null });
        Assert.Null(info.FindExportedFunction("memory"));
        Assert.Null(info.FindExportedFunction("main"));
        Assert.False(info.HasStartSection);
        Assert.False(info.MemoryIsImported);
        Assert.NotNull(info.Memory);
        Assert.True(info.Memory.MinimumPages >= 1);
        Assert.False(info.Memory.Shared);
    }

    [Fact]
    public void Exported_functions_report_every_number_type_of_their_signature()
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat("fuel", "--enable-tail-call"));

        Assert.Equal(new WasmFunctionType([], []), info.FindExportedFunction("spin"));
        Assert.Equal(new WasmFunctionType([I32], [I64]), info.FindExportedFunction("sum"));
        Assert.Equal(new WasmFunctionType([I32], [I32]), info.FindExportedFunction("fib_recursive"));
        Assert.Equal("(i32) -> (i64)", info.FindExportedFunction("fib")!.ToString());
        Assert.Empty(info.Imports);
        Assert.Null(info.Memory);
    }

    [Fact]
    public void Simd_and_reference_type_signatures_map_to_their_value_types()
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat("bulk-memory"));

        Assert.Equal(new WasmFunctionType([WasmValueType.ExternRef], [I32]), info.FindExportedFunction("table_ops"));
        Assert.Equal(new WasmFunctionType([WasmValueType.F64], [I64]), info.FindExportedFunction("truncate"));
    }

    [Fact]
    public void Imports_of_every_kind_and_the_start_section_are_reported()
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat("indices", "--enable-tail-call"));

        Assert.Equal(
            [new WasmImport("env", "log", WasmExternKind.Function, new WasmFunctionType([I32], [])),
             new WasmImport("env", "log_twice", WasmExternKind.Function, new WasmFunctionType([I32], []))],
            info.Imports);
        Assert.True(info.HasStartSection);
        Assert.Equal(new WasmFunctionType([], [I32]), info.FindExportedFunction("ten"));
        Assert.Equal(new WasmFunctionType([I32], [I32]), info.FindExportedFunction("call_table"));
    }

    [Fact]
    public void An_imported_memory_is_the_memory_and_is_marked_imported()
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat("memory-imported"));

        Assert.Equal(new WasmMemoryLimits(2, 10, false), info.Memory);
        Assert.True(info.MemoryIsImported);
        Assert.Equal(new WasmImport("env", "memory", WasmExternKind.Memory, null), info.Imports.Single());
    }

    [Fact]
    public void A_shared_memory_keeps_its_maximum_and_shared_flag()
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat("atomics", "--enable-threads"));

        Assert.Equal(new WasmMemoryLimits(1, 4, true), info.Memory);
        Assert.False(info.MemoryIsImported);
    }

    [Theory]
    [InlineData("simd")]
    [InlineData("bulk-memory")]
    [InlineData("exceptions", "--enable-exceptions")]
    [InlineData("atomics", "--enable-threads")]
    [InlineData("fuel", "--enable-tail-call")]
    [InlineData("indices", "--enable-tail-call")]
    public void Modules_using_each_supported_feature_are_read(string name, params string[] features)
    {
        var info = WasmModuleInfo.Parse(Toolchain.Wat(name, features));

        Assert.NotEmpty(info.Exports);
    }

    [Fact]
    public void A_rust_std_guest_is_read()
    {
        var info = WasmModuleInfo.Parse(Guests.Rust);

        Assert.Equal(new WasmFunctionType([], []), info.FindExportedFunction("_start"));
        Assert.Contains(info.Imports, i => i is { Module: "wasi_snapshot_preview1", Name: "fd_write" });
    }

    [Fact]
    public void Typed_function_reference_instructions_are_read()
    {
        // wabt 1.0.32 predates the final encodings: call_ref 0x14 and return_call_ref 0x15 with a type index,
        // ref.as_non_null 0xD4, br_on_null 0xD5, br_on_non_null 0xD6, and (ref null $t) value types 0x63.
        byte[] module = Module(
            Section(1, Vector([0x60, 0x01, 0x7F, 0x01, 0x7F], [0x60, 0x01, 0x63, 0x00, 0x01, 0x7F])),
            Section(3, Vector([0x00], [0x01], [0x00])),
            Section(7, Vector([.. Name("apply"), 0x00, 0x01], [.. Name("tail"), 0x00, 0x02])),
            Section(9, Vector([0x03, 0x00, .. Vector([0x00])])),
            Section(10, Vector(
                Body(0x20, 0x00, 0x41, 0x01, 0x6A),
                Body(
                    0x02, 0x40, 0x20, 0x00, 0xD5, 0x00, 0x1A, 0x0B, // block; local.get 0; br_on_null 0; drop; end
                    0x02, 0x64, 0x00, 0x20, 0x00, 0xD6, 0x00, 0x0B, 0x1A, // block (result (ref 0)); br_on_non_null 0; end; drop
                    0x41, 0x29, 0x20, 0x00, 0xD4, 0x14, 0x00), // i32.const 41; local.get 0; ref.as_non_null; call_ref 0
                Body(0x20, 0x00, 0xD2, 0x00, 0x15, 0x00)))); // local.get 0; ref.func 0; return_call_ref 0

        var info = WasmModuleInfo.Parse(module);

        Assert.Equal(new WasmFunctionType([WasmValueType.FuncRef], [I32]), info.FindExportedFunction("apply"));
        Assert.Equal(new WasmFunctionType([I32], [I32]), info.FindExportedFunction("tail"));
    }

    [Fact]
    public void Try_table_and_throw_ref_are_read()
    {
        // No installed tool emits the new exception handling yet: try_table 0x1F with catch clauses, throw_ref 0x0A.
        byte[] module = Module(
            Section(1, Vector([0x60, 0x00, 0x00], [0x60, 0x01, 0x7F, 0x00])),
            Section(3, Vector([0x00])),
            Section(13, Vector([0x00, 0x01])),
            Section(7, Vector([.. Name("run"), 0x00, 0x00])),
            Section(10, Vector(Body(
                0x02, 0x69, // block (result exnref)
                0x02, 0x7F, // block (result i32)
                0x1F, 0x40, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x01, 0x03, 0x01, // try_table with catch, catch_ref, catch_all, catch_all_ref
                0x41, 0x07, 0x08, 0x00, // throw 0 (i32.const 7)
                0x0B, 0x41, 0x00, 0x0B, 0x1A, 0xD0, 0x69, 0x0B, 0x0A)))); // end; i32.const 0; end; drop; ref.null exn; end; throw_ref

        var info = WasmModuleInfo.Parse(module);

        Assert.Equal(new WasmFunctionType([], []), info.FindExportedFunction("run"));
    }

    [Fact]
    public void An_exported_function_whose_signature_has_no_value_type_here_is_refused_by_name()
    {
        byte[] module = Module(
            Section(1, Vector([0x60, 0x01, 0x69, 0x00])),
            Section(3, Vector([0x00])),
            Section(7, Vector([.. Name("takes_exnref"), 0x00, 0x00])),
            Section(10, Vector(Body())));

        var error = Assert.Throws<WasmFormatException>(() => WasmModuleInfo.Parse(module));

        Assert.Contains("takes_exnref", error.Message, StringComparison.Ordinal);
        Assert.Contains("exnref", error.Message, StringComparison.Ordinal);
    }
}
