using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests;

public class RuntimeLocatorTests
{
    [Fact]
    public void Unset_names_the_variable_and_an_example()
    {
        var (path, problem) = RuntimeLocator.Locate(null, "/usr/bin");
        Assert.Null(path);
        Assert.Contains("set PROPLET_EXTERNAL_WASM_RUNTIME to a WASI runtime such as wasmtime", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_missing_from_path_lists_where_it_looked()
    {
        var (path, problem) = RuntimeLocator.Locate("wasmtime-that-does-not-exist", "/usr/local/bin:/usr/bin");
        Assert.Null(path);
        Assert.Equal(
            "PROPLET_EXTERNAL_WASM_RUNTIME=wasmtime-that-does-not-exist: no executable 'wasmtime-that-does-not-exist' on the proplet's PATH (searched: /usr/local/bin, /usr/bin); install it or set the variable to its full path",
            problem);
    }

    [Fact]
    public void A_command_on_path_is_found()
    {
        var (path, problem) = RuntimeLocator.Locate("sh", "/nonexistent:/bin");
        Assert.Null(problem);
        Assert.Equal("/bin/sh", path);
    }

    [Fact]
    public void A_path_that_is_not_executable_is_refused()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "runtime");
        File.WriteAllText(file, "not a program");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (path, problem) = RuntimeLocator.Locate(file, "");
        Assert.Null(path);
        Assert.Contains("the file is not executable", problem, StringComparison.Ordinal);
    }
}
