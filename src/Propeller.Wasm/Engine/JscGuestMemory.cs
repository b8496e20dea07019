namespace Propeller.Wasm.Engine;

/// <summary>
/// An instance's exported memory seen through JavaScriptCore. Memory can grow while the guest runs,
/// which replaces its ArrayBuffer and moves its bytes, so the engine marks the view stale whenever
/// control comes back from the guest and the next access re-takes the pointer (one property read and
/// a comparison when nothing changed).
/// </summary>
internal sealed unsafe class JscGuestMemory(JscContext context, IntPtr memoryObject) : GuestMemory, IDisposable
{
    private IntPtr _buffer;
    private IntPtr _view;
    private byte* _bytes;
    private int _length;
    private bool _stale = true;

    /// <summary>Called each time the guest hands control to the host: the memory may have grown since.</summary>
    public void MarkStale() => _stale = true;

    protected override Span<byte> Bytes
    {
        get
        {
            if (_stale)
            {
                Refresh();
            }

            return new Span<byte>(_bytes, _length);
        }
    }

    private void Refresh()
    {
        var buffer = context.Get(memoryObject, "buffer");
        if (_buffer == IntPtr.Zero || !context.StrictEquals(buffer, _buffer))
        {
            ReleaseView();
            _buffer = buffer;
            context.Protect(_buffer);
            _view = context.Uint8ArrayOver(buffer);
            context.Protect(_view);
        }

        var (pointer, length) = context.TypedArrayBytes(_view);
        _bytes = (byte*)pointer;
        _length = length;
        _stale = false;
    }

    private void ReleaseView()
    {
        if (_view != IntPtr.Zero)
        {
            context.Unprotect(_view);
            context.Unprotect(_buffer);
            _view = IntPtr.Zero;
            _buffer = IntPtr.Zero;
        }
    }

    public void Dispose() => ReleaseView();
}

/// <summary>The memory of a module that exports none: every access is out of bounds.</summary>
internal sealed class NoGuestMemory : GuestMemory
{
    public static readonly NoGuestMemory Instance = new();

    public override bool IsExported => false;

    protected override Span<byte> Bytes => [];
}
