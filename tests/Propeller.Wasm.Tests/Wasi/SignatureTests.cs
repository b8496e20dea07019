using Propeller.Wasm.Wasi;

namespace Propeller.Wasm.Tests.Wasi;

public sealed class SignatureTests
{
    /// <summary>Every preview1 import as wasi-libc and Rust's std declare it: i for i32, I for i64, -> result.</summary>
    public static TheoryData<string, string> Preview1 => new()
    {
        { "args_get", "ii->i" },
        { "args_sizes_get", "ii->i" },
        { "environ_get", "ii->i" },
        { "environ_sizes_get", "ii->i" },
        { "clock_res_get", "ii->i" },
        { "clock_time_get", "iIi->i" },
        { "fd_advise", "iIIi->i" },
        { "fd_allocate", "iII->i" },
        { "fd_close", "i->i" },
        { "fd_datasync", "i->i" },
        { "fd_fdstat_get", "ii->i" },
        { "fd_fdstat_set_flags", "ii->i" },
        { "fd_fdstat_set_rights", "iII->i" },
        { "fd_filestat_get", "ii->i" },
        { "fd_filestat_set_size", "iI->i" },
        { "fd_filestat_set_times", "iIIi->i" },
        { "fd_pread", "iiiIi->i" },
        { "fd_prestat_get", "ii->i" },
        { "fd_prestat_dir_name", "iii->i" },
        { "fd_pwrite", "iiiIi->i" },
        { "fd_read", "iiii->i" },
        { "fd_readdir", "iiiIi->i" },
        { "fd_renumber", "ii->i" },
        { "fd_seek", "iIii->i" },
        { "fd_sync", "i->i" },
        { "fd_tell", "ii->i" },
        { "fd_write", "iiii->i" },
        { "path_create_directory", "iii->i" },
        { "path_filestat_get", "iiiii->i" },
        { "path_filestat_set_times", "iiiiIIi->i" },
        { "path_link", "iiiiiii->i" },
        { "path_open", "iiiiiIIii->i" },
        { "path_readlink", "iiiiii->i" },
        { "path_remove_directory", "iii->i" },
        { "path_rename", "iiiiii->i" },
        { "path_symlink", "iiiii->i" },
        { "path_unlink_file", "iii->i" },
        { "poll_oneoff", "iiii->i" },
        { "proc_exit", "i->" },
        { "proc_raise", "i->i" },
        { "sched_yield", "->i" },
        { "random_get", "ii->i" },
        { "sock_accept", "iii->i" },
        { "sock_recv", "iiiiii->i" },
        { "sock_send", "iiiii->i" },
        { "sock_shutdown", "ii->i" },
    };

    [Theory]
    [MemberData(nameof(Preview1))]
    public void Each_function_has_the_exact_preview1_signature(string name, string signature)
    {
        using var harness = new WasiHarness();

        var function = harness.Function(name);

        Assert.Equal(WasiPreview1.ModuleName, function.Module);
        Assert.Equal(signature, Describe(function.Parameters) + "->" + Describe(function.Results));
    }

    [Fact]
    public void All_46_functions_are_offered_once_under_the_preview1_module()
    {
        using var harness = new WasiHarness();

        var names = harness.Wasi.Functions.Select(function => function.Name).ToList();

        Assert.Equal(46, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("wasi_snapshot_preview1", WasiPreview1.ModuleName);
        Assert.All(harness.Wasi.Functions, function => Assert.Equal(WasiPreview1.ModuleName, function.Module));
    }

    [Fact]
    public void A_call_with_the_wrong_number_of_arguments_is_INVAL_not_an_exception()
    {
        using var harness = new WasiHarness();

        Assert.Equal(WasiErrno.Inval, harness.Call("fd_close"));
    }

    private static string Describe(IReadOnlyList<WasmValueType> types) =>
        string.Concat(types.Select(type => type switch
        {
            WasmValueType.I32 => "i",
            WasmValueType.I64 => "I",
            _ => "?",
        }));
}
