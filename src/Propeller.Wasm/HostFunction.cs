namespace Propeller.Wasm;

/// <summary>
/// The body of a host function. It runs on the engine's thread, in the middle of the guest's call;
/// <paramref name="memory"/> is the calling instance's memory, valid only during this call. Return
/// <c>default</c> for a function without results. Throwing stops the guest: a
/// <see cref="GuestExitException"/> is a normal exit, anything else becomes a trap.
/// </summary>
public delegate WasmValue HostFunctionBody(GuestMemory memory, ReadOnlySpan<WasmValue> arguments);

/// <summary>A function the host offers to guests under <c>Module::Name</c> with a fixed signature.</summary>
public sealed record HostFunction(
    string Module,
    string Name,
    IReadOnlyList<WasmValueType> Parameters,
    IReadOnlyList<WasmValueType> Results,
    HostFunctionBody Body)
{
    public override string ToString() =>
        $"{Module}::{Name}({string.Join(", ", Parameters)}) -> ({string.Join(", ", Results)})";
}
