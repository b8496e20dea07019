namespace Propeller.Core.Configuration.Toml;

/// <summary>
/// Builds TOML text line by line, with comments, in the order given; <see cref="TomlReader"/> reads back what it
/// writes. Strings are written as basic strings with escapes; keys and table names are quoted when they are not bare.
/// </summary>
public sealed class TomlWriter
{
    private readonly List<string> _lines = [];

    /// <summary>A <c># text</c> line; each line of a multi-line text gets its own <c>#</c>.</summary>
    /// <exception cref="ArgumentException">The text has a control character other than tab, which comments cannot hold.</exception>
    public TomlWriter Comment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            if (!TomlSyntax.IsCommentText(line))
            {
                throw new ArgumentException("a TOML comment cannot hold control characters (other than tab) or lone UTF-16 surrogates", nameof(text));
            }

            _lines.Add(line.Length == 0 ? "#" : "# " + line);
        }

        return this;
    }

    /// <summary>A blank line (unless this is the first line) and <c>[name]</c>; a dotted name <c>a.b</c> names a sub-table.</summary>
    public TomlWriter Table(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Table(name.Split('.'));
    }

    /// <summary>A blank line (unless this is the first line) and the header of the table at this path; no part is split on dots.</summary>
    public TomlWriter Table(IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count == 0)
        {
            throw new ArgumentException("a table needs a name", nameof(path));
        }

        if (_lines.Count > 0)
        {
            _lines.Add("");
        }

        _lines.Add($"[{TomlSyntax.FormatKeyPath(path)}]");
        return this;
    }

    /// <summary>
    /// <c>key = value</c> for a string, <see cref="long"/>, <see cref="int"/>, <see cref="bool"/> or a sequence of
    /// these (an array). A <see cref="TomlTable"/> is written as dotted keys (<c>key.sub = value</c>).
    /// </summary>
    public TomlWriter Key(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(key);
        WriteKey([key], TomlValue.From(value).Value);
        return this;
    }

    public TomlWriter BlankLine()
    {
        _lines.Add("");
        return this;
    }

    /// <summary>The document: <c>\n</c> line endings and a final <c>\n</c> (empty when nothing was written).</summary>
    public override string ToString() => _lines.Count == 0 ? "" : string.Join('\n', _lines) + "\n";

    /// <summary>
    /// A whole table tree: the root's values first, then each sub-table under its <c>[header]</c>, depth first.
    /// A table that holds only sub-tables gets no header of its own.
    /// </summary>
    /// <exception cref="ArgumentException">The tree holds something TOML cannot say, or nests deeper than the reader accepts.</exception>
    public static string Write(TomlTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var writer = new TomlWriter();
        writer.WriteValues(table);
        writer.WriteSubTables(table, []);
        return writer.ToString();
    }

    private void WriteKey(List<string> path, object value)
    {
        if (path.Count - 1 > TomlSyntax.MaxDepth)
        {
            throw new ArgumentException($"keys nested deeper than {TomlSyntax.MaxDepth} levels cannot be read back", nameof(value));
        }

        if (value is not TomlTable table)
        {
            _lines.Add($"{TomlSyntax.FormatKeyPath(path)} = {TomlSyntax.FormatValue(value)}");
            return;
        }

        if (table.Count == 0)
        {
            throw new ArgumentException(
                $"the empty table '{TomlSyntax.FormatKeyPath(path)}' cannot be written as a key: use Table(...) for it", nameof(value));
        }

        foreach (var key in table.Keys)
        {
            table.TryGetValue(key, out var item);
            WriteKey([.. path, key], item!.Value);
        }
    }

    private void WriteValues(TomlTable table)
    {
        foreach (var key in table.Keys)
        {
            table.TryGetValue(key, out var value);
            if (value!.Value is not TomlTable)
            {
                _lines.Add($"{TomlSyntax.FormatKey(key)} = {TomlSyntax.FormatValue(value.Value)}");
            }
        }
    }

    private void WriteSubTables(TomlTable table, List<string> path)
    {
        foreach (var key in table.Keys)
        {
            table.TryGetValue(key, out var value);
            if (value!.Value is not TomlTable sub)
            {
                continue;
            }

            List<string> subPath = [.. path, key];
            if (subPath.Count > TomlSyntax.MaxDepth)
            {
                throw new ArgumentException($"tables nested deeper than {TomlSyntax.MaxDepth} levels cannot be read back", nameof(table));
            }

            var hasValues = sub.Keys.Any(k => sub.TryGetValue(k, out var v) && v.Value is not TomlTable);
            if (hasValues || sub.Count == 0)
            {
                Table(subPath);
                WriteValues(sub);
            }

            WriteSubTables(sub, subPath);
        }
    }
}
