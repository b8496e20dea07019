using System.Reflection;
using System.Runtime.InteropServices;

namespace Propeller.Wasm.Engine;

/// <summary>
/// Finds and loads JavaScriptCore once per process, and prepares it so it can live beside .NET.
/// </summary>
internal static partial class JscLibrary
{
    /// <summary>The Debian package that ships the library, named in every "missing library" error.</summary>
    public const string DebianPackage = "libjavascriptcoregtk-4.1-0";

    private static readonly string[] Candidates =
    [
        "libjavascriptcoregtk-4.1.so.0",
        "libjavascriptcoregtk-6.0.so.1",
    ];

    private static readonly Lock Gate = new();
    private static IntPtr s_handle;

    /// <summary>Loads the library or throws <see cref="WasmEngineUnavailableException"/> saying what to install.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (s_handle != IntPtr.Zero)
            {
                return;
            }

            // Both JSC and the .NET runtime catch SIGSEGV: JSC to turn wasm memory faults into traps,
            // .NET to raise NullReferenceException. With both installed a .NET null dereference can
            // kill the process. Bounds-checked wasm memory and polling traps keep JSC's handler out of
            // the way. JSC reads these options from the C environment when it initialises, which
            // Environment.SetEnvironmentVariable does not change, hence libc's setenv.
            _ = setenv("JSC_useWasmFaultSignalHandler", "false", 1);
            _ = setenv("JSC_usePollingTraps", "true", 1);

            foreach (var candidate in Candidates)
            {
                if (NativeLibrary.TryLoad(candidate, out var handle))
                {
                    s_handle = handle;
                    NativeLibrary.SetDllImportResolver(typeof(JscLibrary).Assembly, Resolve);
                    return;
                }
            }

            throw new WasmEngineUnavailableException(
                "The embedded WebAssembly engine needs JavaScriptCore (libjavascriptcoregtk-4.1.so.0), which is not installed. " +
                $"Install it with `sudo apt-get install {DebianPackage}`, or run tasks with an external runtime " +
                "(PROPLET_RUNTIME=host and PROPLET_EXTERNAL_WASM_RUNTIME=wasmtime).");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == JscNative.Library ? s_handle : IntPtr.Zero;

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
