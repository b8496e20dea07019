namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Finds the external runtime PROPLET_EXTERNAL_WASM_RUNTIME names: a path, or a command looked up
/// on PATH. When it cannot, says exactly what was tried (upstream's "Failed to spawn host runtime
/// process: . Command: []" told users nothing).
/// </summary>
public static class RuntimeLocator
{
    public static (string? Path, string? Problem) Locate(string? configured, string? pathVariable)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return (null, "no external WebAssembly runtime is configured: set PROPLET_EXTERNAL_WASM_RUNTIME to a WASI runtime such as wasmtime (a command on PATH or a full path) and restart the proplet");
        }

        if (configured.Contains('/'))
        {
            var full = System.IO.Path.GetFullPath(configured);
            return IsExecutable(full)
                ? (full, null)
                : (null, $"PROPLET_EXTERNAL_WASM_RUNTIME={configured}: {(File.Exists(full) ? "the file is not executable" : "no such file")}; install the runtime there or point the variable at it");
        }

        var directories = (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in directories)
        {
            var candidate = System.IO.Path.Combine(directory, configured);
            if (IsExecutable(candidate))
            {
                return (candidate, null);
            }
        }

        return (null, $"PROPLET_EXTERNAL_WASM_RUNTIME={configured}: no executable '{configured}' on the proplet's PATH (searched: {(directories.Length == 0 ? "PATH is empty" : string.Join(", ", directories))}); install it or set the variable to its full path");
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
