namespace Propeller.Proplet.Runtimes;

/// <summary>
/// How the proplet runs tasks. Auto: the external runtime when PROPLET_EXTERNAL_WASM_RUNTIME names one
/// that is installed, the embedded engine otherwise.
/// </summary>
public enum RuntimeMode
{
    Auto,
    Embedded,
    Host,
}
