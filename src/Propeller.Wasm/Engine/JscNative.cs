using System.Runtime.InteropServices;

namespace Propeller.Wasm.Engine;

/// <summary>
/// The part of JavaScriptCore's public C API the engine uses (JSBase.h, JSContextRef.h, JSObjectRef.h,
/// JSValueRef.h, JSStringRef.h, JSTypedArray.h). Every reference is an opaque pointer; C <c>bool</c> is
/// one byte, so those results are declared as <see cref="byte"/>.
/// </summary>
internal static unsafe partial class JscNative
{
    /// <summary>The name P/Invoke uses; <see cref="JscLibrary"/> maps it to the installed file.</summary>
    public const string Library = "javascriptcoregtk";

    /// <summary><c>kJSTypedArrayTypeUint8Array</c>.</summary>
    public const int TypedArrayUint8 = 3;


    [LibraryImport(Library)]
    public static partial IntPtr JSContextGroupCreate();

    [LibraryImport(Library)]
    public static partial void JSContextGroupRelease(IntPtr group);

    [LibraryImport(Library)]
    public static partial IntPtr JSGlobalContextCreateInGroup(IntPtr group, IntPtr globalObjectClass);

    [LibraryImport(Library)]
    public static partial void JSGlobalContextRelease(IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr JSContextGetGlobalObject(IntPtr context);

    [LibraryImport(Library)]
    public static partial void JSGarbageCollect(IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr JSStringCreateWithCharacters(char* characters, nuint length);

    [LibraryImport(Library)]
    public static partial void JSStringRelease(IntPtr text);

    [LibraryImport(Library)]
    public static partial nuint JSStringGetLength(IntPtr text);

    [LibraryImport(Library)]
    public static partial char* JSStringGetCharactersPtr(IntPtr text);

    [LibraryImport(Library)]
    public static partial IntPtr JSEvaluateScript(IntPtr context, IntPtr script, IntPtr thisObject, IntPtr sourceUrl, int startingLineNumber, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectMakeFunctionWithCallback(
        IntPtr context, IntPtr name, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, nuint, IntPtr*, IntPtr*, IntPtr> callback);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectCallAsFunction(IntPtr context, IntPtr function, IntPtr thisObject, nuint argumentCount, IntPtr* arguments, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectMake(IntPtr context, IntPtr objectClass, IntPtr privateData);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectMakeError(IntPtr context, nuint argumentCount, IntPtr* arguments, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectGetProperty(IntPtr context, IntPtr target, IntPtr name, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial void JSObjectSetProperty(IntPtr context, IntPtr target, IntPtr name, IntPtr value, uint attributes, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectGetPropertyAtIndex(IntPtr context, IntPtr target, uint index, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectMakeTypedArray(IntPtr context, int arrayType, nuint length, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial IntPtr JSObjectMakeTypedArrayWithArrayBuffer(IntPtr context, int arrayType, IntPtr buffer, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial void* JSObjectGetTypedArrayBytesPtr(IntPtr context, IntPtr typedArray, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial nuint JSObjectGetTypedArrayByteLength(IntPtr context, IntPtr typedArray, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial void JSValueProtect(IntPtr context, IntPtr value);

    [LibraryImport(Library)]
    public static partial void JSValueUnprotect(IntPtr context, IntPtr value);

    [LibraryImport(Library)]
    public static partial IntPtr JSValueMakeNumber(IntPtr context, double number);

    [LibraryImport(Library)]
    public static partial IntPtr JSValueMakeUndefined(IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr JSValueMakeString(IntPtr context, IntPtr text);

    [LibraryImport(Library)]
    public static partial IntPtr JSBigIntCreateWithInt64(IntPtr context, long integer, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial double JSValueToNumber(IntPtr context, IntPtr value, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial long JSValueToInt64(IntPtr context, IntPtr value, IntPtr* exception);

    [LibraryImport(Library)]
    public static partial byte JSValueIsStrictEqual(IntPtr context, IntPtr a, IntPtr b);

    [LibraryImport(Library)]
    public static partial byte JSValueIsObject(IntPtr context, IntPtr value);

    [LibraryImport(Library)]
    public static partial IntPtr JSValueToStringCopy(IntPtr context, IntPtr value, IntPtr* exception);
}
