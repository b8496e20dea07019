namespace Propeller.Wasm.Binary;

/// <summary>Reads value types, heap types and block types, refusing the GC proposal's types by name.</summary>
internal static class ValueTypes
{
    /// <summary>
    /// Reads a value type. Returns its <see cref="WasmValueType"/>, or null with <paramref name="unsupported"/>
    /// naming a type that has none (exnref). Typed references map by heap type: to a function type → funcref.
    /// </summary>
    public static WasmValueType? Read(ref WasmReader reader, out string? unsupported)
    {
        var start = reader.Position;
        var code = reader.ReadByte("a value type");
        unsupported = null;
        switch (code)
        {
            case 0x7F:
            case 0x7E:
            case 0x7D:
            case 0x7C:
            case 0x7B:
            case 0x70:
            case 0x6F:
                return (WasmValueType)code;
            case 0x69:
                unsupported = "exnref";
                return null;
            case 0x63:
            case 0x64:
                return ReadHeapType(ref reader, out unsupported);
            default:
                if (IsGcTypeCode(code))
                {
                    throw Gc($"value type 0x{code:X2}", start);
                }

                throw new WasmFormatException($"unknown value type 0x{code:X2}", start);
        }
    }

    /// <summary>Reads a value type when only its encoding matters (locals, globals, select, tables).</summary>
    public static void Skip(ref WasmReader reader) => Read(ref reader, out _);

    /// <summary>Reads a heap type (after <c>ref</c>, <c>ref null</c> or <c>ref.null</c>) and maps it to the reference type it makes.</summary>
    public static WasmValueType? ReadHeapType(ref WasmReader reader, out string? unsupported)
    {
        var start = reader.Position;
        var value = reader.ReadS33("a heap type");
        unsupported = null;
        if (value >= 0)
        {
            // A concrete type index: without GC only function types exist, so this is a function reference.
            return WasmValueType.FuncRef;
        }

        if (value < -64)
        {
            throw new WasmFormatException($"unknown heap type {value}", start);
        }

        var code = (byte)(value + 0x80);
        switch (code)
        {
            case 0x70:
                return WasmValueType.FuncRef;
            case 0x6F:
                return WasmValueType.ExternRef;
            case 0x69:
                unsupported = "exnref";
                return null;
            default:
                if (IsGcTypeCode(code))
                {
                    throw Gc($"heap type 0x{code:X2}", start);
                }

                throw new WasmFormatException($"unknown heap type 0x{code:X2}", start);
        }
    }

    /// <summary>Reads a block type: empty (0x40), one value type, or a type index.</summary>
    public static void ReadBlockType(ref WasmReader reader, int typeCount)
    {
        var start = reader.Position;
        var first = reader.PeekByte("a block type");
        if (first == 0x40)
        {
            reader.Position++;
            return;
        }

        if (first is >= 0x41 and <= 0x7F)
        {
            Skip(ref reader);
            return;
        }

        var index = reader.ReadS33("a block type");
        if (index < 0 || index >= typeCount)
        {
            throw new WasmFormatException($"block type refers to type {index}, but the module declares {typeCount} types", start);
        }
    }

    public static WasmFormatException Gc(string what, int offset) =>
        new($"the module uses the GC proposal ({what}), which is not supported", offset);

    /// <summary>Type codes that only the GC proposal defines: abstract heap types, packed types, composite type forms.</summary>
    private static bool IsGcTypeCode(byte code) => code is
        0x6E or 0x6D or 0x6C or 0x6B or 0x6A // any, eq, i31, struct, array
        or 0x71 or 0x72 or 0x73 or 0x74      // none, noextern, nofunc, noexn
        or 0x78 or 0x77;                     // i8, i16 (packed field types)
}
