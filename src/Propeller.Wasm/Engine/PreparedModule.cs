using System.Collections.Concurrent;
using System.Security.Cryptography;
using Propeller.Wasm.Binary;
using Propeller.Wasm.Limits;

namespace Propeller.Wasm.Engine;

/// <summary>What identifies a compiled module: the SHA-256 of its bytes and the limits it was instrumented with.</summary>
internal readonly record struct ModuleKey(string Sha256, ulong? MaxMemoryBytes, bool Metered);

/// <summary>
/// A module read and instrumented, ready for any worker to compile: done once per (bytes, limits) on
/// the caller's thread, so workers only compile and run.
/// </summary>
internal sealed class PreparedModule
{
    private const int CacheCapacity = 256;
    private static readonly ConcurrentDictionary<ModuleKey, PreparedModule> Cache = new();
    private static readonly ConcurrentDictionary<string, WasmModuleInfo> Infos = new();

    private PreparedModule(ModuleKey key, WasmModuleInfo info, byte[] bytes)
    {
        Key = key;
        Info = info;
        Bytes = bytes;
    }

    public ModuleKey Key { get; }

    /// <summary>The module as its author wrote it (imports and exports before instrumentation).</summary>
    public WasmModuleInfo Info { get; }

    /// <summary>The instrumented bytes that are compiled.</summary>
    public byte[] Bytes { get; }

    /// <summary>Modules read and instrumented since the process started (the cache's misses).</summary>
    public static long Preparations => Interlocked.Read(ref s_preparations);

    private static long s_preparations;

    /// <summary>
    /// The module's imports and exports, read once per content: callers that look at a module before
    /// running it (which export to call, with which parameter types) do not parse it again on every run.
    /// Throws <see cref="WasmFormatException"/>.
    /// </summary>
    public static WasmModuleInfo Inspect(ReadOnlySpan<byte> module) => InfoFor(Sha256(module), module);

    public static PreparedModule Get(ReadOnlySpan<byte> module, ulong? maxMemoryBytes, bool metered)
    {
        var key = new ModuleKey(Sha256(module), maxMemoryBytes, metered);
        if (Cache.TryGetValue(key, out var prepared))
        {
            return prepared;
        }

        WasmModuleInfo info;
        byte[] bytes;
        try
        {
            info = InfoFor(key.Sha256, module);
            bytes = ModuleInstrumenter.Instrument(module, new ModuleLimits(maxMemoryBytes, metered));
        }
        catch (WasmFormatException e)
        {
            throw new WasmCompileException($"invalid WebAssembly module: {e.Message}", e);
        }
        catch (WasmLimitException e)
        {
            throw new WasmResourceLimitException(e.Message, e);
        }

        Interlocked.Increment(ref s_preparations);
        prepared = new PreparedModule(key, info, bytes);
        if (Cache.Count >= CacheCapacity)
        {
            // Rarely reached on a proplet (few distinct modules); starting over is simpler than LRU here.
            Cache.Clear();
        }

        return Cache.GetOrAdd(key, prepared);
    }

    private static string Sha256(ReadOnlySpan<byte> module) => Convert.ToHexStringLower(SHA256.HashData(module));

    private static WasmModuleInfo InfoFor(string sha256, ReadOnlySpan<byte> module)
    {
        if (Infos.TryGetValue(sha256, out var info))
        {
            return info;
        }

        info = WasmModuleInfo.Parse(module);
        if (Infos.Count >= CacheCapacity)
        {
            Infos.Clear();
        }

        return Infos.GetOrAdd(sha256, info);
    }
}
