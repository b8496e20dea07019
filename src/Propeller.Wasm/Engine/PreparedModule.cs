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

    public static PreparedModule Get(ReadOnlySpan<byte> module, ulong? maxMemoryBytes, bool metered)
    {
        var key = new ModuleKey(Convert.ToHexStringLower(SHA256.HashData(module)), maxMemoryBytes, metered);
        if (Cache.TryGetValue(key, out var prepared))
        {
            return prepared;
        }

        WasmModuleInfo info;
        byte[] bytes;
        try
        {
            info = WasmModuleInfo.Parse(module);
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
}
