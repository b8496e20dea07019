using Propeller.Core.Tasks;

namespace Propeller.Cli;

/// <summary>Checks a module file on this machine before anything is sent, so a typo costs no task.</summary>
public static class LocalModule
{
    /// <summary>Returns the file's length; throws <see cref="CliException"/> saying what is wrong with it.</summary>
    public static long Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException("the module path is empty", ExitCodes.Usage);
        }

        if (Directory.Exists(path))
        {
            throw new CliException($"{path}: is a directory, not a .wasm file");
        }

        if (!System.IO.File.Exists(path))
        {
            throw new CliException($"{path}: no such file", ExitCodes.Failure, $"give the path of a compiled module, e.g. build/guests/greet.wasm (looked in {Environment.CurrentDirectory})");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var header = new byte[8];
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (WasmModule.Describe(header.AsSpan(0, read)) is { } problem)
            {
                throw new CliException($"{path}: {problem}");
            }

            return stream.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read it: {e.Message}");
        }
    }
}
