namespace Propeller.Wasm.Engine;

/// <summary>
/// One JavaScriptCore VM (a context group) with one global context, used by one thread only.
/// It wraps the C API's calls so that every JavaScript exception becomes a <see cref="JscException"/>
/// and every string is released; property-name strings are created once and kept.
/// </summary>
internal sealed unsafe class JscContext : IDisposable
{
    private readonly IntPtr _group;
    private readonly Dictionary<string, IntPtr> _names = new(StringComparer.Ordinal);

    public JscContext()
    {
        JscLibrary.EnsureLoaded();
        _group = JscNative.JSContextGroupCreate();
        Handle = JscNative.JSGlobalContextCreateInGroup(_group, IntPtr.Zero);
        Global = JscNative.JSContextGetGlobalObject(Handle);
    }

    public IntPtr Handle { get; }

    public IntPtr Global { get; }

    public IntPtr Undefined => JscNative.JSValueMakeUndefined(Handle);

    /// <summary>Runs a script and returns its completion value.</summary>
    public IntPtr Evaluate(string script)
    {
        var text = CreateString(script);
        try
        {
            IntPtr exception = 0;
            var value = JscNative.JSEvaluateScript(Handle, text, IntPtr.Zero, IntPtr.Zero, 1, &exception);
            ThrowIfException(exception);
            return value;
        }
        finally
        {
            JscNative.JSStringRelease(text);
        }
    }

    public IntPtr Call(IntPtr function, ReadOnlySpan<IntPtr> arguments)
    {
        IntPtr exception = 0;
        IntPtr result;
        fixed (IntPtr* argv = arguments)
        {
            result = JscNative.JSObjectCallAsFunction(Handle, function, IntPtr.Zero, (nuint)arguments.Length, argv, &exception);
        }

        ThrowIfException(exception);
        return result;
    }

    public IntPtr Get(IntPtr target, string name)
    {
        IntPtr exception = 0;
        var value = JscNative.JSObjectGetProperty(Handle, target, Name(name), &exception);
        ThrowIfException(exception);
        return value;
    }

    public IntPtr GetAt(IntPtr target, uint index)
    {
        IntPtr exception = 0;
        var value = JscNative.JSObjectGetPropertyAtIndex(Handle, target, index, &exception);
        ThrowIfException(exception);
        return value;
    }

    public void Set(IntPtr target, string name, IntPtr value)
    {
        IntPtr exception = 0;
        JscNative.JSObjectSetProperty(Handle, target, Name(name), value, 0, &exception);
        ThrowIfException(exception);
    }

    public IntPtr NewObject() => JscNative.JSObjectMake(Handle, IntPtr.Zero, IntPtr.Zero);

    public bool IsObject(IntPtr value) => JscNative.JSValueIsObject(Handle, value) != 0;

    public bool StrictEquals(IntPtr a, IntPtr b) => JscNative.JSValueIsStrictEqual(Handle, a, b) != 0;

    /// <summary>A native function; <paramref name="callback"/> must never let an exception escape.</summary>
    public IntPtr NewFunction(string name, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, nuint, IntPtr*, IntPtr*, IntPtr> callback) =>
        JscNative.JSObjectMakeFunctionWithCallback(Handle, Name(name), callback);

    /// <summary>A Uint8Array holding a copy of <paramref name="bytes"/>.</summary>
    public IntPtr NewUint8Array(ReadOnlySpan<byte> bytes)
    {
        IntPtr exception = 0;
        var array = JscNative.JSObjectMakeTypedArray(Handle, JscNative.TypedArrayUint8, (nuint)bytes.Length, &exception);
        ThrowIfException(exception);
        var target = JscNative.JSObjectGetTypedArrayBytesPtr(Handle, array, &exception);
        ThrowIfException(exception);
        bytes.CopyTo(new Span<byte>(target, bytes.Length));
        return array;
    }

    /// <summary>The bytes behind a typed array (valid until the next call into JavaScript).</summary>
    public (IntPtr Pointer, int Length) TypedArrayBytes(IntPtr typedArray)
    {
        IntPtr exception = 0;
        var pointer = JscNative.JSObjectGetTypedArrayBytesPtr(Handle, typedArray, &exception);
        ThrowIfException(exception);
        var length = JscNative.JSObjectGetTypedArrayByteLength(Handle, typedArray, &exception);
        ThrowIfException(exception);
        return ((IntPtr)pointer, checked((int)length));
    }

    public IntPtr Uint8ArrayOver(IntPtr arrayBuffer)
    {
        IntPtr exception = 0;
        var array = JscNative.JSObjectMakeTypedArrayWithArrayBuffer(Handle, JscNative.TypedArrayUint8, arrayBuffer, &exception);
        ThrowIfException(exception);
        return array;
    }

    public IntPtr Number(double value) => JscNative.JSValueMakeNumber(Handle, value);

    public IntPtr BigInt(long value)
    {
        IntPtr exception = 0;
        var result = JscNative.JSBigIntCreateWithInt64(Handle, value, &exception);
        ThrowIfException(exception);
        return result;
    }

    public double ToNumber(IntPtr value)
    {
        IntPtr exception = 0;
        var result = JscNative.JSValueToNumber(Handle, value, &exception);
        ThrowIfException(exception);
        return result;
    }

    public long ToInt64(IntPtr value)
    {
        IntPtr exception = 0;
        var result = JscNative.JSValueToInt64(Handle, value, &exception);
        ThrowIfException(exception);
        return result;
    }

    /// <summary>An Error object with <paramref name="message"/>, for throwing into JavaScript from a callback.</summary>
    public IntPtr NewError(string message)
    {
        var text = CreateString(message);
        try
        {
            var messageValue = JscNative.JSValueMakeString(Handle, text);
            IntPtr exception = 0;
            return JscNative.JSObjectMakeError(Handle, 1, &messageValue, &exception);
        }
        finally
        {
            JscNative.JSStringRelease(text);
        }
    }

    /// <summary>The value as JavaScript's <c>String(value)</c> shows it; never throws.</summary>
    public string ToText(IntPtr value)
    {
        IntPtr exception = 0;
        var text = JscNative.JSValueToStringCopy(Handle, value, &exception);
        if (text == IntPtr.Zero)
        {
            return "(a value that cannot be shown)";
        }

        try
        {
            return new string(JscNative.JSStringGetCharactersPtr(text), 0, checked((int)JscNative.JSStringGetLength(text)));
        }
        finally
        {
            JscNative.JSStringRelease(text);
        }
    }

    /// <summary>Keeps a value alive across garbage collections until <see cref="Unprotect"/>.</summary>
    public void Protect(IntPtr value) => JscNative.JSValueProtect(Handle, value);

    public void Unprotect(IntPtr value) => JscNative.JSValueUnprotect(Handle, value);

    public void CollectGarbage() => JscNative.JSGarbageCollect(Handle);

    public void Dispose()
    {
        foreach (var name in _names.Values)
        {
            JscNative.JSStringRelease(name);
        }

        _names.Clear();
        JscNative.JSGlobalContextRelease(Handle);
        JscNative.JSContextGroupRelease(_group);
    }

    private IntPtr Name(string name)
    {
        if (!_names.TryGetValue(name, out var text))
        {
            text = CreateString(name);
            _names[name] = text;
        }

        return text;
    }

    private static IntPtr CreateString(string text)
    {
        fixed (char* characters = text)
        {
            return JscNative.JSStringCreateWithCharacters(characters, (nuint)text.Length);
        }
    }

    private void ThrowIfException(IntPtr exception)
    {
        if (exception != IntPtr.Zero)
        {
            throw new JscException(ToText(exception), exception);
        }
    }
}

/// <summary>A JavaScript exception thrown by a call into JavaScriptCore; <see cref="Value"/> is the thrown value.</summary>
internal sealed class JscException(string message, IntPtr value) : Exception(message)
{
    public IntPtr Value { get; } = value;
}
