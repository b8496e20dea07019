using System.Diagnostics;
using System.Text;
using Propeller.Testing;

namespace Propeller.Wasm.Tests.Tools;

/// <summary>
/// The tools the tests make and check real modules with: wat2wasm and wasm-validate (wabt), clang for
/// wasm32-wasi, rustc with its wasm32-wasi target, and node. A missing tool fails the test with the
/// command that was tried.
/// </summary>
internal static class Toolchain
{
    /// <summary>How long any one tool may take before the test calls it hung.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>The committed .wat modules, copied next to the test assembly.</summary>
    public static string ModulesDirectory => Path.Combine(AppContext.BaseDirectory, "Modules");

    /// <summary>Compiles <c>Modules/<paramref name="name"/>.wat</c> with wat2wasm and the given feature flags.</summary>
    public static byte[] Wat(string name, params string[] features)
    {
        using var directory = new TempDirectory("propeller-wat");
        var output = directory.Combine(name + ".wasm");
        Run("wat2wasm", [.. features, Path.Combine(ModulesDirectory, name + ".wat"), "-o", output]).AssertSucceeded();
        return File.ReadAllBytes(output);
    }

    /// <summary>Fails unless wasm-validate accepts <paramref name="module"/> with the given feature flags.</summary>
    public static void AssertValid(byte[] module, params string[] features)
    {
        using var directory = new TempDirectory("propeller-validate");
        var path = directory.Combine("module.wasm");
        File.WriteAllBytes(path, module);
        Run("wasm-validate", [.. features, path]).AssertSucceeded();
    }

    /// <summary>The module's instructions as wasm-objdump prints them, one per line.</summary>
    public static string Disassemble(byte[] module) => Objdump(module, "-d");

    /// <summary>The module's sections as wasm-objdump lists them, one per line, with their offsets.</summary>
    public static string SectionHeaders(byte[] module) => Objdump(module, "-h");

    private static string Objdump(byte[] module, string what)
    {
        using var directory = new TempDirectory("propeller-objdump");
        var path = directory.Combine("module.wasm");
        File.WriteAllBytes(path, module);
        var result = Run("wasm-objdump", [what, path]);
        result.AssertSucceeded();
        return result.Stdout;
    }

    /// <summary>Compiles a C program into a WASI command with clang (Debian's wasi-libc).</summary>
    public static byte[] CompileC(string source)
    {
        using var directory = new TempDirectory("propeller-clang");
        var input = directory.Combine("guest.c");
        var output = directory.Combine("guest.wasm");
        File.WriteAllText(input, source);
        Run("clang", ["--target=wasm32-wasi", "-O2", input, "-o", output]).AssertSucceeded();
        return File.ReadAllBytes(output);
    }

    /// <summary>Compiles a Rust program (with std) into a WASI command.</summary>
    public static byte[] CompileRust(string source)
    {
        using var directory = new TempDirectory("propeller-rustc");
        var input = directory.Combine("guest.rs");
        var output = directory.Combine("guest.wasm");
        File.WriteAllText(input, source);
        var rustc = File.Exists("/usr/bin/rustc") ? "/usr/bin/rustc" : "rustc";
        Run(rustc, ["--edition", "2021", "-O", "--target", "wasm32-wasi", input, "-o", output], directory.Path).AssertSucceeded();
        return File.ReadAllBytes(output);
    }

    /// <summary>Runs a tool to completion and captures its output.</summary>
    public static ToolResult Run(string executable, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var command = $"{executable} {string.Join(' ', start.ArgumentList)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException($"could not start {command}: {error.Message} (`make deps` installs wabt, clang and node; rustc needs its wasm32-wasi target)", error);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command} did not finish within {Patience.TotalMinutes} minutes");
            }

            process.WaitForExit();
            return new ToolResult(command, process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}

internal sealed record ToolResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public void AssertSucceeded()
    {
        if (ExitCode != 0)
        {
            var message = new StringBuilder()
                .AppendLine($"{Command} exited with {ExitCode}")
                .AppendLine(Stdout)
                .AppendLine(Stderr)
                .ToString();
            Assert.Fail(message);
        }
    }
}
