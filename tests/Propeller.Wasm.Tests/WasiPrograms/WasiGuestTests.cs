using System.Text;
using System.Text.RegularExpressions;
using Propeller.Testing;
using Propeller.Wasm.Tests.Engine;
using Propeller.Wasm.Wasi;

namespace Propeller.Wasm.Tests.WasiPrograms;

/// <summary>
/// Real programs (C through wasi-libc, Rust through std) on the embedded engine with Propeller's WASI:
/// each prints a transcript of every call family it exercised, and the transcript the program's source
/// file states at its top is the one it must print here. The fixture is tests/guests/README.md's.
/// </summary>
public sealed partial class WasiGuestTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly TempDirectory _work = new();

    [Theory]
    [InlineData("wasi-basics.c")]
    [InlineData("wasi-rust-basics.rs")]
    public async Task Arguments_environment_stdio_clocks_random_sleep_and_exit(string source)
    {
        var run = await RunAsync(source, ["one", "two"], [new("GREETING", "hello")], stdin: "line from stdin\n", preopens: []);

        Assert.Equal(ExpectedTranscript(source), run.Stdout);
        Assert.Equal("to stderr\n", run.Stderr);
        Assert.Equal(7, run.ExitCode);
    }

    [Theory]
    [InlineData("wasi-fs.c")]
    [InlineData("wasi-rust-fs.rs")]
    public async Task Files_directories_links_and_readdir(string source)
    {
        var sandbox = CreateFixture();

        var run = await RunAsync(source, [], [], stdin: "", preopens: [new WasiPreopen(sandbox, ".")]);

        Assert.Equal(ExpectedTranscript(source), run.Stdout);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["etc-link"], Directory.EnumerateFileSystemEntries(sandbox).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("wasi-escape.c")]
    [InlineData("wasi-rust-escape.rs")]
    public async Task Every_way_out_of_a_preopen_is_refused_and_read_only_holds(string source)
    {
        var sandbox = CreateFixture();
        var readOnly = Path.Combine(_work.Path, "readonly");

        var run = await RunAsync(source, [], [], stdin: "", preopens: [new WasiPreopen(sandbox, "."), new WasiPreopen(readOnly, "ro", ReadOnly: true)]);

        Assert.Equal(ExpectedTranscript(source), run.Stdout);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("secret\n", File.ReadAllText(Path.Combine(_work.Path, "outside.txt")));
        Assert.Equal(["kept.txt"], Directory.EnumerateFileSystemEntries(readOnly).Select(Path.GetFileName));
        Assert.Equal("keep me\n", File.ReadAllText(Path.Combine(readOnly, "kept.txt")));
        Assert.Equal(["outside.txt", "readonly", "sandbox"], Directory.EnumerateFileSystemEntries(_work.Path).Select(Path.GetFileName).Order());
    }

    private async Task<(string Stdout, string Stderr, int ExitCode)> RunAsync(
        string source, string[] arguments, KeyValuePair<string, string>[] environment, string stdin, WasiPreopen[] preopens)
    {
        var name = Path.GetFileNameWithoutExtension(source);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using var wasi = new WasiPreview1(new WasiOptions
        {
            Arguments = [$"{name}.wasm", .. arguments],
            Environment = environment,
            Preopens = preopens,
            Stdin = new MemoryStream(Encoding.UTF8.GetBytes(stdin)),
            Stdout = stdout,
            Stderr = stderr,
        });

        var result = await fixture.Engine.RunAsync(new WasmInvocation(Repository.Guest(name)) { Imports = wasi.Functions, Timeout = TimeSpan.FromMinutes(1) });

        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), result.ExitCode);
    }

    /// <summary>The fixture of tests/guests/README.md; returns the writable preopen's host path.</summary>
    private string CreateFixture()
    {
        File.WriteAllText(Path.Combine(_work.Path, "outside.txt"), "secret\n");
        var sandbox = Directory.CreateDirectory(Path.Combine(_work.Path, "sandbox")).FullName;
        File.CreateSymbolicLink(Path.Combine(sandbox, "etc-link"), "/etc");
        var readOnly = Directory.CreateDirectory(Path.Combine(_work.Path, "readonly")).FullName;
        File.WriteAllText(Path.Combine(readOnly, "kept.txt"), "keep me\n");
        return sandbox;
    }

    /// <summary>
    /// The transcript a guest's source states in its opening comment: the indented comment lines after
    /// the one that says what to expect.
    /// </summary>
    private static string ExpectedTranscript(string source)
    {
        var lines = File.ReadLines(Path.Combine(Repository.Root, "tests", "guests", source)).TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal));
        var expected = new StringBuilder();
        var started = false;
        foreach (var line in lines)
        {
            if (!started)
            {
                started = line.Contains("xpect", StringComparison.Ordinal);
                continue;
            }

            var match = TranscriptLine().Match(line);
            if (match.Success)
            {
                expected.Append(match.Groups[1].Value).Append('\n');
            }
            else if (expected.Length > 0)
            {
                break;
            }
        }

        Assert.True(expected.Length > 0, $"{source} states no transcript");
        return expected.ToString();
    }

    [GeneratedRegex("^//   (.*)$")]
    private static partial Regex TranscriptLine();

    public void Dispose() => _work.Dispose();
}
