namespace Propeller.Wasm;

/// <summary>
/// Thrown by a host function to end the guest normally with an exit code (WASI's <c>proc_exit</c>).
/// The engine catches it and reports the code; it is not an error.
/// </summary>
public sealed class GuestExitException(int exitCode) : Exception($"The guest exited with code {exitCode}.")
{
    public int ExitCode { get; } = exitCode;
}
