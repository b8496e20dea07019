namespace Propeller.Testing;

/// <summary>Where the repository and its build outputs are, found from the test assembly's location.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// An empty config file. Test processes run in the repository, where a developer may have run
    /// <c>propeller-cli provision</c>; they get this file as MANAGER_/PROPLET_/PROPELLER_CONFIG_FILE unless a
    /// test names another, so that no ./config.toml changes what a test sees.
    /// </summary>
    public static string EmptyConfigFile { get; } = WriteEmptyConfigFile();

    /// <summary>The variables that name a config file, each set to <see cref="EmptyConfigFile"/>.</summary>
    public static IReadOnlyDictionary<string, string> NoConfigFiles { get; } = new Dictionary<string, string>
    {
        ["MANAGER_CONFIG_FILE"] = EmptyConfigFile,
        ["PROPLET_CONFIG_FILE"] = EmptyConfigFile,
        ["PROPELLER_CONFIG_FILE"] = EmptyConfigFile,
    };

    /// <summary><c>build/</c>, where <c>make all</c> publishes the executables.</summary>
    public static string BuildDirectory => Path.Combine(Root, "build");

    /// <summary>An executable from <c>build/</c>; fails with the command that produces it when it is missing.</summary>
    public static string Executable(string name)
    {
        var path = Path.Combine(BuildDirectory, name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: run `make all` (or `make test`, which builds it) first");
    }

    /// <summary>A test guest compiled by <c>make guests</c> into <c>build/guests/</c>.</summary>
    public static byte[] Guest(string name)
    {
        var path = Path.Combine(BuildDirectory, "guests", name + ".wasm");
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"{path} is missing: run `make guests` (needs clang and wasi-libc; `make deps` installs them)");
    }

    /// <summary>The Node-based wasmtime-style runtime kept with the tests.</summary>
    /// <summary>The wasi-nn example's fixture (a real ONNX classifier and input tensors; <c>make examples</c> writes it).</summary>
    public static string WasiNnFixture => Path.Combine(Root, "examples", "wasi-nn", "fixture");

    /// <summary>A wasi-nn example guest built by <c>make examples</c>: <c>classification-c</c> or <c>classification-rust</c>.</summary>
    public static byte[] WasiNnGuest(string name)
    {
        var path = Path.Combine(BuildDirectory, "examples", "wasi-nn", $"{name}.wasm");
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"{path} is missing: run `make examples`");
    }

    public static string NodeWasiRuntime => Path.Combine(Root, "tests", "tools", "wasmtime-node.mjs");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Propeller.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Propeller.sln above {AppContext.BaseDirectory}");
    }

    private static string WriteEmptyConfigFile()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "no-config.toml");
        File.WriteAllText(path, "# Empty on purpose: see Repository.EmptyConfigFile.\n");
        return path;
    }
}
