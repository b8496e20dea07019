namespace Propeller.Wasm.Limits;

/// <summary>
/// The limits <see cref="ModuleInstrumenter"/> builds into a module: a cap on each defined memory
/// (null: leave memories as they are) and fuel metering, which lets the host stop any loop or recursion.
/// </summary>
public sealed record ModuleLimits(ulong? MaxMemoryBytes, bool MeterFuel);
