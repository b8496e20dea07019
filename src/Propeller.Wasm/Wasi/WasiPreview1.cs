using System.Text;

namespace Propeller.Wasm.Wasi;

/// <summary>
/// WASI preview1 (<c>wasi_snapshot_preview1</c>) for one guest instance, as host functions: arguments,
/// environment, clocks, randomness, poll, stdio and a file system confined to the preopened directories.
/// It aims at what wasmtime's WASI does for programs built with wasi-libc (C) and Rust's std.
/// </summary>
/// <remarks>
/// <para>Every function returns a WASI errno and never throws, except <c>proc_exit</c>
/// (<see cref="GuestExitException"/>) and a cancelled <c>poll_oneoff</c> sleep
/// (<see cref="OperationCanceledException"/>). All functions go through one wrapper that turns an
/// out-of-bounds guest pointer into FAULT, invalid UTF-8 into ILSEQ and host I/O errors into their errno.</para>
/// <para>The instance is meant for one guest thread, which is how preview1 guests run. Dispose it once the
/// guest has stopped; that closes every host file it opened.</para>
/// <para>Policies where preview1 leaves a choice (see the README in tests/guests for the transcript):
/// escapes from a preopen are NOTCAPABLE; changes under a read-only preopen are PERM; symlinks are followed
/// only to places inside the same preopen; <c>path_symlink</c> refuses absolute targets (NOTCAPABLE);
/// the CPU-time clocks report the time since this instance was created; sockets are not supported.</para>
/// </remarks>
public sealed partial class WasiPreview1 : IDisposable
{
    public const string ModuleName = "wasi_snapshot_preview1";

    private const WasmValueType I32 = WasmValueType.I32;
    private const WasmValueType I64 = WasmValueType.I64;

    private readonly WasiOptions _options;
    private readonly FileDescriptorTable _descriptors = new();
    private readonly byte[][] _arguments;
    private readonly byte[][] _environment;
    private readonly long _createdTimestamp;

    /// <summary>Sets up the descriptor table: 0–2 stdio, then one descriptor per preopen, in order.</summary>
    /// <exception cref="DirectoryNotFoundException">A preopen's host directory does not exist.</exception>
    /// <exception cref="ArgumentException">A preopen is not a directory, or an argument or variable cannot be passed to a guest.</exception>
    public WasiPreview1(WasiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _arguments = [.. options.Arguments.Select(argument => NulTerminated(argument, "argument"))];
        _environment = [.. options.Environment.Select(variable => NulTerminated(EnvironmentEntry(variable), "environment variable"))];
        _createdTimestamp = options.TimeProvider.GetTimestamp();

        var preopens = options.Preopens.Select(OpenPreopen).ToList();
        _descriptors.Add(new StreamDescriptor(options.Stdin, isInput: true));
        _descriptors.Add(new StreamDescriptor(options.Stdout, isInput: false));
        _descriptors.Add(new StreamDescriptor(options.Stderr, isInput: false));
        foreach (var preopen in preopens)
        {
            _descriptors.Add(preopen);
        }

        Functions = CreateFunctions();
    }

    /// <summary>All 46 preview1 functions, to be offered to the guest under <see cref="ModuleName"/>.</summary>
    public IReadOnlyList<HostFunction> Functions { get; }

    public void Dispose() => _descriptors.Dispose();

    private HostFunction[] CreateFunctions() =>
    [
        Define("args_get", [I32, I32], ArgsGet),
        Define("args_sizes_get", [I32, I32], ArgsSizesGet),
        Define("environ_get", [I32, I32], EnvironGet),
        Define("environ_sizes_get", [I32, I32], EnvironSizesGet),
        Define("clock_res_get", [I32, I32], ClockResGet),
        Define("clock_time_get", [I32, I64, I32], ClockTimeGet),
        Define("fd_advise", [I32, I64, I64, I32], FdAdvise),
        Define("fd_allocate", [I32, I64, I64], FdAllocate),
        Define("fd_close", [I32], FdClose),
        Define("fd_datasync", [I32], FdDatasync),
        Define("fd_fdstat_get", [I32, I32], FdFdstatGet),
        Define("fd_fdstat_set_flags", [I32, I32], FdFdstatSetFlags),
        Define("fd_fdstat_set_rights", [I32, I64, I64], FdFdstatSetRights),
        Define("fd_filestat_get", [I32, I32], FdFilestatGet),
        Define("fd_filestat_set_size", [I32, I64], FdFilestatSetSize),
        Define("fd_filestat_set_times", [I32, I64, I64, I32], FdFilestatSetTimes),
        Define("fd_pread", [I32, I32, I32, I64, I32], FdPread),
        Define("fd_prestat_get", [I32, I32], FdPrestatGet),
        Define("fd_prestat_dir_name", [I32, I32, I32], FdPrestatDirName),
        Define("fd_pwrite", [I32, I32, I32, I64, I32], FdPwrite),
        Define("fd_read", [I32, I32, I32, I32], FdRead),
        Define("fd_readdir", [I32, I32, I32, I64, I32], FdReaddir),
        Define("fd_renumber", [I32, I32], FdRenumber),
        Define("fd_seek", [I32, I64, I32, I32], FdSeek),
        Define("fd_sync", [I32], FdSync),
        Define("fd_tell", [I32, I32], FdTell),
        Define("fd_write", [I32, I32, I32, I32], FdWrite),
        Define("path_create_directory", [I32, I32, I32], PathCreateDirectory),
        Define("path_filestat_get", [I32, I32, I32, I32, I32], PathFilestatGet),
        Define("path_filestat_set_times", [I32, I32, I32, I32, I64, I64, I32], PathFilestatSetTimes),
        Define("path_link", [I32, I32, I32, I32, I32, I32, I32], PathLink),
        Define("path_open", [I32, I32, I32, I32, I32, I64, I64, I32, I32], PathOpen),
        Define("path_readlink", [I32, I32, I32, I32, I32, I32], PathReadlink),
        Define("path_remove_directory", [I32, I32, I32], PathRemoveDirectory),
        Define("path_rename", [I32, I32, I32, I32, I32, I32], PathRename),
        Define("path_symlink", [I32, I32, I32, I32, I32], PathSymlink),
        Define("path_unlink_file", [I32, I32, I32], PathUnlinkFile),
        Define("poll_oneoff", [I32, I32, I32, I32], PollOneoff),
        new HostFunction(ModuleName, "proc_exit", [I32], [], ProcExit),
        Define("proc_raise", [I32], ProcRaise),
        Define("sched_yield", [], SchedYield),
        Define("random_get", [I32, I32], RandomGet),
        Define("sock_accept", [I32, I32, I32], SockAccept),
        Define("sock_recv", [I32, I32, I32, I32, I32, I32], SockRecv),
        Define("sock_send", [I32, I32, I32, I32, I32], SockSend),
        Define("sock_shutdown", [I32, I32], SockShutdown),
    ];

    /// <summary>The body of a WASI function: returns its errno, or throws and lets <see cref="Invoke"/> choose one.</summary>
    private delegate WasiErrno WasiCall(GuestMemory memory, ReadOnlySpan<WasmValue> arguments);

    private static HostFunction Define(string name, WasmValueType[] parameters, WasiCall call) =>
        new(ModuleName, name, parameters, [I32],
            (memory, arguments) => WasmValue.FromInt32((int)Invoke(call, parameters.Length, memory, arguments)));

    /// <summary>
    /// The one place where a WASI call's failures become errnos. Only a guest exit and a cancellation pass
    /// through, as the engine expects; anything else — a bad pointer, a host I/O error, a bug here — is
    /// reported to the guest rather than tearing down the host.
    /// </summary>
    private static WasiErrno Invoke(WasiCall call, int parameterCount, GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        if (arguments.Length != parameterCount)
        {
            return WasiErrno.Inval;
        }

        try
        {
            return call(memory, arguments);
        }
        catch (GuestExitException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // A host function must not throw into the engine: every other failure is an errno.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return HostErrors.FromException(exception);
        }
    }

    private DirectoryDescriptor OpenPreopen(WasiPreopen preopen)
    {
        ArgumentNullException.ThrowIfNull(preopen);
        if (string.IsNullOrEmpty(preopen.HostPath) || string.IsNullOrEmpty(preopen.GuestPath))
        {
            throw new ArgumentException("A preopen needs a host directory and a guest path.", nameof(preopen));
        }

        if (preopen.GuestPath.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The guest path of preopen '{preopen.HostPath}' contains a NUL character.", nameof(preopen));
        }

        var hostPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(preopen.HostPath));
        if (!Directory.Exists(hostPath))
        {
            throw File.Exists(hostPath)
                ? new ArgumentException($"The preopen '{preopen.HostPath}' (guest path '{preopen.GuestPath}') is a file, not a directory.", nameof(preopen))
                : new DirectoryNotFoundException($"The preopen '{preopen.HostPath}' (guest path '{preopen.GuestPath}') does not exist: {hostPath}.");
        }

        // A read-only preopen still advertises every right: wasi-libc derives the rights it asks for from
        // these, and the refusal must come from path_open (PERM), not as a silently read-only descriptor.
        var root = new SandboxRoot(hostPath, preopen.ReadOnly);
        return new DirectoryDescriptor(root, [], RightsSets.Directory, RightsSets.DirectoryInheriting, preopen.GuestPath);
    }

    private static byte[] NulTerminated(string text, string what)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A guest {what} cannot contain a NUL character: '{text.Replace("\0", "\\0", StringComparison.Ordinal)}'.", nameof(text));
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static string EnvironmentEntry(KeyValuePair<string, string> variable)
    {
        if (string.IsNullOrEmpty(variable.Key) || variable.Key.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The environment variable name '{variable.Key}' is empty or contains '='.", nameof(variable));
        }

        return $"{variable.Key}={variable.Value}";
    }
}
