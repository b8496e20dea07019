namespace Propeller.WasiNn;

/// <summary>
/// A wasi-nn call that failed: the guest gets <see cref="Errno"/>, and the message goes to the guest's
/// stderr (and the log), because an errno alone does not tell a user what the model wanted.
/// </summary>
public sealed class WasiNnException(NnErrno errno, string message, Exception? inner = null) : Exception(message, inner)
{
    public NnErrno Errno { get; } = errno;
}
