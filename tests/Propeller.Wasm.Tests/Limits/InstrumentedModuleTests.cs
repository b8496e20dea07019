using System.Text.RegularExpressions;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Limits;
using Propeller.Wasm.Tests.Tools;

namespace Propeller.Wasm.Tests.Limits;

/// <summary>What instrumentation does to a module's structure, checked with wabt's validator and disassembler.</summary>
public sealed partial class InstrumentedModuleTests
{
    private static readonly ModuleLimits Everything = new(MaxMemoryBytes: 16 << 20, MeterFuel: true);

    [Theory]
    [InlineData("simd")]
    [InlineData("bulk-memory")]
    [InlineData("atomics", "--enable-threads")]
    [InlineData("exceptions", "--enable-exceptions")]
    [InlineData("fuel", "--enable-tail-call")]
    [InlineData("indices", "--enable-tail-call")]
    public void Instrumented_feature_modules_validate_and_meter_every_function_and_loop(string name, params string[] features)
    {
        var original = Toolchain.Wat(name, features);

        var instrumented = ModuleInstrumenter.Instrument(original, Everything);

        Toolchain.AssertValid(instrumented, features);
        var before = Toolchain.Disassemble(original);
        var after = Toolchain.Disassemble(instrumented);
        Assert.Equal(Count(FunctionHeader(), before) + Count(Loop(), before), Count(RefuelCall(), after));
        Assert.Equal(Count(Loop(), before), Count(Loop(), after));
    }

    [Fact]
    public void A_clang_built_c_guest_validates_after_instrumentation()
    {
        var instrumented = ModuleInstrumenter.Instrument(Guests.Greet, Everything);

        Toolchain.AssertValid(instrumented);
        Assert.True(Count(RefuelCall(), Toolchain.Disassemble(instrumented)) > 30);
    }

    [Fact]
    public void A_rustc_built_std_guest_validates_after_instrumentation()
    {
        var instrumented = ModuleInstrumenter.Instrument(Guests.Rust, Everything);

        Toolchain.AssertValid(instrumented);
    }

    [Fact]
    public void The_refuel_import_is_the_last_function_import_with_the_contract_signature()
    {
        var instrumented = ModuleInstrumenter.Instrument(Toolchain.Wat("indices", "--enable-tail-call"), Everything);

        var info = WasmModuleInfo.Parse(instrumented);
        var functionImports = info.Imports.Where(i => i.Kind == WasmExternKind.Function).ToList();
        Assert.Equal(["env.log", "env.log_twice", "propeller_limits.refuel"], functionImports.Select(i => $"{i.Module}.{i.Name}"));
        Assert.Equal(new WasmFunctionType([], [WasmValueType.I32]), functionImports[^1].FunctionType);
        Assert.Equal(ModuleInstrumenter.ImportModule, functionImports[^1].Module);
        Assert.Equal(ModuleInstrumenter.RefuelImport, functionImports[^1].Name);
    }

    [Fact]
    public void A_module_without_types_imports_or_globals_gets_those_sections_in_their_place()
    {
        var instrumented = ModuleInstrumenter.Instrument(ModuleBytes.OneFunction(0x01), Everything);

        Toolchain.AssertValid(instrumented);
        var sections = Toolchain.SectionHeaders(instrumented);
        Assert.Matches(new Regex("Type.*\\n.*Import.*\\n.*Function.*\\n.*Global.*\\n.*Code", RegexOptions.None, TimeSpan.FromSeconds(5)), sections);
    }

    [Fact]
    public void An_existing_type_with_the_refuel_signature_is_reused()
    {
        var withType = Toolchain.Wat("indices", "--enable-tail-call"); // declares (func (result i32))
        var withoutType = Toolchain.Wat("fuel", "--enable-tail-call");

        Assert.Equal(TypeCount(withType), TypeCount(ModuleInstrumenter.Instrument(withType, Everything)));
        Assert.Equal(TypeCount(withoutType) + 1, TypeCount(ModuleInstrumenter.Instrument(withoutType, Everything)));
    }

    [Fact]
    public void The_name_section_is_dropped_and_other_custom_sections_are_kept()
    {
        var original = Guests.Rust;
        var instrumented = ModuleInstrumenter.Instrument(original, Everything);

        var before = CustomSections(original);
        var after = CustomSections(instrumented);
        Assert.Contains("name", before);
        Assert.Equal(before.Where(s => s != "name"), after);
    }

    [Fact]
    public void Without_limits_the_module_comes_back_unchanged()
    {
        var original = Guests.Greet;

        var output = ModuleInstrumenter.Instrument(original, new ModuleLimits(null, MeterFuel: false));

        Assert.Equal(original, output);
    }

    [Fact]
    public void A_memory_limit_alone_changes_only_the_memory_limits()
    {
        var original = Guests.Greet;

        var output = ModuleInstrumenter.Instrument(original, new ModuleLimits(8 << 20, MeterFuel: false));

        Toolchain.AssertValid(output);
        Assert.Equal(new WasmMemoryLimits(WasmModuleInfo.Parse(original).Memory!.MinimumPages, 128, false), WasmModuleInfo.Parse(output).Memory);
        Assert.Equal(Instructions(original), Instructions(output));
        Assert.DoesNotContain(WasmModuleInfo.Parse(output).Imports, i => i.Module == ModuleInstrumenter.ImportModule);
    }

    [Fact]
    public void A_module_importing_the_reserved_module_is_refused()
    {
        var module = Toolchain.Wat("reserved-import");

        var error = Assert.Throws<WasmLimitException>(() => ModuleInstrumenter.Instrument(module, Everything));

        Assert.Equal("the module imports propeller_limits::refuel, but 'propeller_limits' is a reserved import module", error.Message);
    }

    [Fact]
    public void An_instrumented_module_cannot_be_instrumented_again()
    {
        var once = ModuleInstrumenter.Instrument(Toolchain.Wat("fuel", "--enable-tail-call"), Everything);

        var error = Assert.Throws<WasmLimitException>(() => ModuleInstrumenter.Instrument(once, Everything));

        Assert.Contains("reserved import module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cost_of_a_check_is_the_instruction_count_of_the_code_it_guards()
    {
        var instrumented = ModuleInstrumenter.Instrument(Toolchain.Wat("fuel", "--enable-tail-call"), Everything);

        // spin: the body is `loop`, `end` (2); the loop's body is `br 0`, `end` (2).
        var spin = Toolchain.Disassemble(instrumented).Split("func[")[1];
        Assert.StartsWith("1] <spin>:", spin, StringComparison.Ordinal);
        Assert.Equal(["i32.const 2", "i32.const 2"], ConstantsBeforeSub().Matches(spin).Select(m => m.Groups[1].Value.Trim()));
    }

    private static int Count(Regex pattern, string text) => pattern.Matches(text).Count;

    /// <summary>The disassembled instructions without their offsets (which move when the memory section grows).</summary>
    private static List<string> Instructions(byte[] module) =>
        [.. Toolchain.Disassemble(module).Split('\n').Where(l => l.Contains('|', StringComparison.Ordinal)).Select(l => l[l.IndexOf('|', StringComparison.Ordinal)..])];

    private static int TypeCount(byte[] module) =>
        int.Parse(TypeSection().Match(Toolchain.SectionHeaders(module)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> CustomSections(byte[] module) =>
        [.. CustomSection().Matches(Toolchain.SectionHeaders(module)).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^[0-9a-f]+ func\[\d+\]", RegexOptions.Multiline)]
    private static partial Regex FunctionHeader();

    [GeneratedRegex(@"\|\s*loop\b")]
    private static partial Regex Loop();

    [GeneratedRegex(@"\|\s*call \d+ <propeller_limits\.refuel>")]
    private static partial Regex RefuelCall();

    [GeneratedRegex(@"Type start=.*count: (\d+)")]
    private static partial Regex TypeSection();

    [GeneratedRegex(@"Custom start=.*""(.*)""")]
    private static partial Regex CustomSection();

    [GeneratedRegex(@"\| (\s*i32\.const \d+)\n[^\n]*\| \s*i32\.sub")]
    private static partial Regex ConstantsBeforeSub();
}
