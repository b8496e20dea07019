namespace Propeller.Wasm.Wasi;

// proc_*, sched_yield and sock_*. Preview1 sockets only exist for descriptors a runtime hands in
// pre-opened (wasmtime's --tcplisten); this host hands in none, so no descriptor is ever a socket.
public sealed partial class WasiPreview1
{
    /// <summary>proc_exit has no result: it ends the guest by throwing, and the engine reports the code.</summary>
    private static WasmValue ProcExit(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) =>
        throw new GuestExitException(arguments.Length > 0 ? arguments[0].AsInt32() : 0);

    /// <summary>Signals are not part of this sandbox: raising one is NOTSUP (a guest's abort() is a trap, not a signal).</summary>
    private static WasiErrno ProcRaise(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => WasiErrno.Notsup;

    private static WasiErrno SchedYield(GuestMemory memory, ReadOnlySpan<WasmValue> arguments)
    {
        Thread.Yield();
        return WasiErrno.Success;
    }

    private WasiErrno SockAccept(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => NotASocket(arguments.U32(0));

    private WasiErrno SockRecv(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => NotASocket(arguments.U32(0));

    private WasiErrno SockSend(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => NotASocket(arguments.U32(0));

    private WasiErrno SockShutdown(GuestMemory memory, ReadOnlySpan<WasmValue> arguments) => NotASocket(arguments.U32(0));

    /// <summary>BADF for a number that is not open; NOTSUP for any open descriptor, since none is a socket.</summary>
    private WasiErrno NotASocket(uint fd)
    {
        _descriptors.Get(fd);
        return WasiErrno.Notsup;
    }
}
