using System.Collections;

namespace Propeller.Core.Configuration.Toml;

/// <summary>
/// A TOML value and where it was written. <see cref="Value"/> is a <see cref="string"/>, <see cref="long"/>,
/// <see cref="bool"/>, <see cref="IReadOnlyList{T}"/> of <see cref="TomlValue"/>, or <see cref="TomlTable"/>.
/// For a key/value pair, <see cref="Line"/> and <see cref="Column"/> are those of the key; for an array element,
/// those of the element; for a table, those of the header (or dotted key) that created it. Values built in code
/// have 0 for both.
/// </summary>
public sealed record TomlValue(object Value, int Line, int Column)
{
    /// <summary>
    /// Wraps a value given in code: <see cref="string"/>, <see cref="long"/>, <see cref="int"/>, <see cref="bool"/>,
    /// <see cref="TomlTable"/>, a <see cref="TomlValue"/> (kept as it is), or a sequence of these (an array;
    /// sequences may nest, but may not hold tables).
    /// </summary>
    public static TomlValue From(object value) => value as TomlValue ?? new TomlValue(Convert(value, inArray: false), 0, 0);

    private static object Convert(object value, bool inArray) => value switch
    {
        null => throw new ArgumentNullException(nameof(value), "TOML has no null value"),
        string or long or bool => value,
        int number => (long)number,
        TomlTable when inArray => throw new ArgumentException("arrays of tables are not supported", nameof(value)),
        TomlTable => value,
        IEnumerable items => items.Cast<object>()
            .Select(item => item as TomlValue ?? new TomlValue(Convert(item, inArray: true), 0, 0))
            .ToList()
            .AsReadOnly(),
        _ => throw new ArgumentException(
            $"a {value.GetType().Name} cannot be a TOML value here: use a string, integer, boolean, array or table", nameof(value)),
    };
}
