using System.Diagnostics.CodeAnalysis;

namespace Propeller.Core.Configuration.Toml;

/// <summary>A TOML table: keys in document order, each with a <see cref="TomlValue"/>.</summary>
public sealed class TomlTable
{
    private readonly Dictionary<string, TomlValue> _values = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    public TomlTable()
    {
    }

    internal TomlTable(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The keys in the order they were first written.</summary>
    public IEnumerable<string> Keys => _keys.AsReadOnly();

    public int Count => _keys.Count;

    /// <summary>The line of the <c>[header]</c> (or dotted key) that made this table; 0 for the root and tables built in code.</summary>
    public int Line { get; internal set; }

    /// <summary>The column of that header's <c>[</c> (or of the dotted key); 0 for the root and tables built in code.</summary>
    public int Column { get; internal set; }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TomlValue value) => _values.TryGetValue(key, out value);

    /// <summary>The sub-table under <paramref name="key"/>, or null when there is no such key.</summary>
    /// <exception cref="InvalidOperationException">The key holds a value that is not a table.</exception>
    public TomlTable? Table(string key)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return null;
        }

        return value.Value as TomlTable
            ?? throw new InvalidOperationException(
                value.Line > 0 ? $"'{key}' (line {value.Line}) is a value, not a table" : $"'{key}' is a value, not a table");
    }

    /// <summary>
    /// Sets a key for a document built in code: <see cref="string"/>, <see cref="long"/>, <see cref="int"/>,
    /// <see cref="bool"/>, a sequence of those (an array), <see cref="TomlTable"/> or <see cref="TomlValue"/>.
    /// A key set again keeps its place in <see cref="Keys"/>.
    /// </summary>
    public void Set(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Put(key, TomlValue.From(value));
    }

    internal void Put(string key, TomlValue value)
    {
        if (!_values.ContainsKey(key))
        {
            _keys.Add(key);
        }

        _values[key] = value;
    }
}
