namespace Propeller.Core.Configuration.Toml;

/// <summary>
/// A TOML document could not be read. <see cref="Exception.Message"/> is
/// <c>line L, column C: reason</c>; lines and columns are 1-based, and a column counts Unicode
/// characters (a character outside the BMP counts once; a tab counts once).
/// </summary>
public sealed class TomlException(int line, int column, string reason)
    : Exception($"line {line}, column {column}: {reason}")
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>What is wrong, without the <c>line L, column C:</c> prefix.</summary>
    public string Reason { get; } = reason;
}
