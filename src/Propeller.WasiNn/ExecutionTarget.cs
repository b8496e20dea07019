namespace Propeller.WasiNn;

/// <summary>wasi-nn's <c>execution_target</c>. <c>Auto</c> (3) exists from the Rust crate 0.4 on.</summary>
public enum ExecutionTarget
{
    Cpu = 0,
    Gpu = 1,
    Tpu = 2,
    Auto = 3,
}
