using Propeller.Core.Tasks;

namespace Propeller.Core.Tests;

public class WasmModuleTests
{
    [Fact]
    public void A_core_module_preamble_is_accepted() =>
        Assert.Null(WasmModule.Describe([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));

    [Fact]
    public void Text_is_refused_with_a_hint()
    {
        var problem = WasmModule.Describe("(module)"u8);
        Assert.NotNull(problem);
        Assert.Contains("not a WebAssembly module", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_component_is_told_apart_from_garbage()
    {
        var problem = WasmModule.Describe([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
        Assert.Contains("version", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_and_cut_short_files_are_refused()
    {
        Assert.Equal("the file is empty", WasmModule.Describe([]));
        Assert.Contains("cut short", WasmModule.Describe([0x00, 0x61, 0x73, 0x6d]), StringComparison.Ordinal);
    }
}
