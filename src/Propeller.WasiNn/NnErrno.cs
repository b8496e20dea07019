namespace Propeller.WasiNn;

/// <summary>wasi-nn's <c>nn_errno</c>, the i32 every <c>wasi_ephemeral_nn</c> function returns.</summary>
public enum NnErrno
{
    Success = 0,
    InvalidArgument = 1,
    InvalidEncoding = 2,
    MissingMemory = 3,
    Busy = 4,
    RuntimeError = 5,
    UnsupportedOperation = 6,
    TooLarge = 7,
    NotFound = 8,
}
