using System.Text;
using Propeller.Core.Commands;
using Propeller.Wasm;
using Propeller.Wasm.Commands;

namespace Propeller.WasmCli;

/// <summary>
/// <c>propeller-wasm</c>: wasmtime's command line (the part the seeds and upstream use) over the
/// embedded engine, so the proplet's host runtime can run the seeds' tasks with it unchanged, and
/// users can try a module locally. Exit codes follow wasmtime: the guest's own exit code, 1 for an
/// error before or around the run, 2 for a command line it cannot read, 134 for a trap or a deadline.
/// </summary>
public static class WasmCliApplication
{
    public const int ErrorExit = 1;
    public const int UsageExit = 2;
    public const int TrapExit = 134;
    public const int InterruptedExit = 130;

    public const string Usage = """
        propeller-wasm: run a WebAssembly module with Propeller's embedded engine (wasmtime's command line).

        Usage: propeller-wasm [run] [OPTIONS] <WASM> [ARGS]...

        Options:
          --dir <HOST_DIR[::GUEST_DIR]>   give the guest a host directory (as GUEST_DIR; default the same path)
          --env <NAME[=VALUE]>            set a guest environment variable (NAME alone passes this process's value)
          --invoke <FUNCTION>             call this export with ARGS (parsed as its parameter types) instead of _start;
                                          its results are printed one per line
          -S nn                           link wasi-nn (wasi_ephemeral_nn)
          -S nn-graph=<ENCODING::DIR>     preload a graph for load_by_name (name = DIR's last component)
          -W timeout=<DURATION>           stop the guest after DURATION (e.g. 30s, 500ms): exit 134
          -W max-memory-size=<BYTES>      cap the guest's linear memory
          -h, --help                      print this help
          -V, --version                   print the version

        Exit status: the guest's exit code; 1 on an error (unreadable file, unknown import, …);
        2 on a command-line error; 134 when the guest traps or passes its deadline.
        """;

    /// <summary>Host modules linked on request (wasi-nn registers itself here).</summary>
    public static IReadOnlyList<IHostModuleProvider> HostModules { get; set; } = [];

    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, Stream stderr)
    {
        await using var errors = new StreamWriter(stderr, new UTF8Encoding(false)) { AutoFlush = true };
        if (args is ["-h" or "--help" or "help"] or ["run", "-h" or "--help"])
        {
            await using var output = new StreamWriter(stdout, new UTF8Encoding(false));
            await output.WriteAsync(Usage);
            return 0;
        }

        if (args is ["-V" or "--version"])
        {
            await using var output = new StreamWriter(stdout, new UTF8Encoding(false));
            await output.WriteLineAsync($"propeller-wasm {typeof(WasmCliApplication).Assembly.GetName().Version?.ToString(3)}");
            return 0;
        }

        WasmCommandLine line;
        try
        {
            line = WasmCommandLine.Parse(args, expectModule: true);
        }
        catch (WasmCommandLineException e)
        {
            await errors.WriteLineAsync($"error: {e.Message}\n\nFor more information, try '--help'.");
            return UsageExit;
        }

        byte[] module;
        try
        {
            module = await File.ReadAllBytesAsync(line.Module!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"Error: failed to read input file `{line.Module}`: {e.Message}");
            return ErrorExit;
        }

        using var interrupt = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT,
            context =>
            {
                context.Cancel = true;
                interrupt.Cancel();
            });

        try
        {
            using var engine = new WasmEngine(new WasmEngineOptions { Workers = 1 });
            var result = await new WasmCommandRunner(engine).RunAsync(
                new WasmCommand(module, line)
                {
                    ProgramName = Path.GetFileName(line.Module!),
                    Stdin = stdin,
                    Stdout = stdout,
                    Stderr = stderr,
                    HostModules = HostModules,
                },
                interrupt.Token);

            if (line.Invoke is not null && result.Results.Count > 0)
            {
                await using var output = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
                foreach (var value in result.Results)
                {
                    await output.WriteLineAsync(value.ToString());
                }
            }

            await stdout.FlushAsync();
            return result.ExitCode;
        }
        catch (WasmCommandLineException e)
        {
            await errors.WriteLineAsync($"error: {e.Message}");
            return UsageExit;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await errors.WriteLineAsync("Error: interrupted");
            return InterruptedExit;
        }
        catch (WasmException e)
        {
            await errors.WriteLineAsync($"Error: failed to run main module `{line.Module}`\n\nCaused by:\n    0: {e.Message}");
            return e is WasmTrapException or WasmDeadlineExceededException ? TrapExit : ErrorExit;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // A --dir that does not exist or cannot be opened, said before anything runs.
            await errors.WriteLineAsync($"Error: {e.Message}");
            return ErrorExit;
        }
    }
}
