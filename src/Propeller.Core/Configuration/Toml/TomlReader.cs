namespace Propeller.Core.Configuration.Toml;

/// <summary>
/// Reads the TOML that Propeller's <c>config.toml</c> files use, with TOML 1.0's meaning: comments, <c>[table]</c>
/// headers, bare, quoted and dotted keys, strings, integers, booleans and arrays. Floats, dates and times, inline
/// tables, arrays of tables and multi-line strings are refused with an error that names them. Errors carry a
/// 1-based line and column; a column counts Unicode characters (a character outside the BMP counts once).
/// </summary>
public static class TomlReader
{
    /// <exception cref="TomlException">The text is not TOML, or uses a part of TOML this reader does not support.</exception>
    public static TomlTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new DocumentReader(text).Read();
    }

    private readonly record struct KeyPart(string Name, TomlPosition At);

    /// <summary>Reads line by line and applies TOML's rules for which tables and keys may be defined where.</summary>
    private sealed class DocumentReader
    {
        private readonly TomlCursor _cursor;
        private readonly TomlTable _root = new();

        // TOML 1.0: a table is defined once, by a [header] or by dotted keys. Dotted keys may keep adding to tables
        // they made within the same section (the lines under one header), but not from a later section.
        private readonly HashSet<TomlTable> _definedByHeader = [];
        private readonly Dictionary<TomlTable, int> _sectionOfDottedKeys = [];
        private int _section;
        private TomlTable _current;
        private List<string> _currentPath = [];

        public DocumentReader(string text)
        {
            _cursor = new TomlCursor(text);
            _current = _root;
        }

        public TomlTable Read()
        {
            while (!_cursor.AtEnd)
            {
                _cursor.SkipSpaces();
                var after = "the value";
                switch (_cursor.Peek())
                {
                    case '[':
                        ReadHeader();
                        after = "the table header";
                        break;
                    case '=':
                        throw _cursor.Error("a value without a key: write 'key = value'");
                    case '#':
                        break;
                    default:
                        if (!_cursor.AtLineEnd)
                        {
                            ReadKeyValue();
                        }

                        break;
                }

                ExpectLineEnd(after);
            }

            return _root;
        }

        private void ExpectLineEnd(string after)
        {
            _cursor.SkipSpaces();
            _cursor.SkipComment();
            if (!_cursor.AtLineEnd)
            {
                throw _cursor.Error($"unexpected {_cursor.Describe()} after {after}: expected a comment or the end of the line");
            }

            if (!_cursor.AtEnd)
            {
                _cursor.SkipNewline();
            }
        }

        private void ReadHeader()
        {
            var at = _cursor.Position;
            if (_cursor.Peek(1) == '[')
            {
                throw _cursor.Error("arrays of tables ([[name]]) are not supported: use one [table] per item");
            }

            _cursor.Advance();
            _cursor.SkipSpaces();
            if (_cursor.Peek() == ']')
            {
                throw TomlCursor.Error(at, "empty table name: write [name]");
            }

            var parts = ReadKey("table name");
            if (_cursor.Peek() != ']')
            {
                throw _cursor.AtLineEnd
                    ? TomlCursor.Error(at, "unterminated table header: missing ']'")
                    : _cursor.Error($"invalid table name: unexpected {_cursor.Describe()}, expected '.' or ']' " +
                        "(bare names use only A-Z a-z 0-9 _ -; quote other names)");
            }

            _cursor.Advance();
            _section++;
            CheckDepth(parts.Count, at);
            DefineTable(parts, at);
        }

        private void DefineTable(List<KeyPart> parts, TomlPosition at)
        {
            var table = _root;
            var path = new List<string>();
            for (var i = 0; i < parts.Count; i++)
            {
                var name = parts[i].Name;
                path.Add(name);
                var isLast = i == parts.Count - 1;
                if (!table.TryGetValue(name, out var existing))
                {
                    var created = new TomlTable(at.Line, at.Column);
                    table.Put(name, new TomlValue(created, at.Line, at.Column));
                    table = created;
                    continue;
                }

                if (existing.Value is not TomlTable sub)
                {
                    throw TomlCursor.Error(at, $"cannot define table [{Path(parts)}]: '{TomlSyntax.FormatKeyPath(path)}' " +
                        $"is already a value (line {existing.Line}), not a table");
                }

                if (isLast)
                {
                    if (_definedByHeader.Contains(sub))
                    {
                        throw TomlCursor.Error(at, $"table [{Path(parts)}] is defined twice (first at line {sub.Line}): " +
                            "put all its keys under one header");
                    }

                    if (_sectionOfDottedKeys.ContainsKey(sub))
                    {
                        throw TomlCursor.Error(at, $"table [{Path(parts)}] is already defined by dotted keys " +
                            $"(line {sub.Line}): a table is defined only once");
                    }

                    sub.Line = at.Line;
                    sub.Column = at.Column;
                    table.Put(name, new TomlValue(sub, at.Line, at.Column));
                }

                table = sub;
            }

            _definedByHeader.Add(table);
            _current = table;
            _currentPath = path;
        }

        private void ReadKeyValue()
        {
            var keyAt = _cursor.Position;
            var parts = ReadKey("key");
            if (_cursor.Peek() != '=')
            {
                throw _cursor.AtLineEnd || _cursor.Peek() == '#'
                    ? TomlCursor.Error(keyAt, $"key '{Path(parts)}' has no value: write '{Path(parts)} = value'")
                    : _cursor.Error($"invalid key: unexpected {_cursor.Describe()} after '{Path(parts)}', expected '=' " +
                        "(bare keys use only A-Z a-z 0-9 _ -; quote other keys)");
            }

            _cursor.Advance();
            _cursor.SkipSpaces();
            if (_cursor.AtLineEnd || _cursor.Peek() == '#')
            {
                throw _cursor.Error($"key '{Path(parts)}' has no value after '='");
            }

            var value = TomlValueReader.Read(_cursor, arrayDepth: 0);
            CheckDepth(_currentPath.Count + parts.Count - 1, keyAt);
            Assign(parts, new TomlValue(value.Value, keyAt.Line, keyAt.Column));
        }

        /// <summary>Puts a value under a (dotted) key of the current table, making the tables its dots name.</summary>
        private void Assign(List<KeyPart> parts, TomlValue value)
        {
            var table = _current;
            var path = new List<string>(_currentPath);
            foreach (var part in parts.Take(parts.Count - 1))
            {
                path.Add(part.Name);
                if (!table.TryGetValue(part.Name, out var existing))
                {
                    var created = new TomlTable(part.At.Line, part.At.Column);
                    table.Put(part.Name, new TomlValue(created, part.At.Line, part.At.Column));
                    _sectionOfDottedKeys[created] = _section;
                    table = created;
                    continue;
                }

                if (existing.Value is not TomlTable sub)
                {
                    throw TomlCursor.Error(part.At, $"cannot set '{Path(parts)}': '{TomlSyntax.FormatKeyPath(path)}' " +
                        $"is already a value (line {existing.Line}), not a table");
                }

                var definedEarlier = _definedByHeader.Contains(sub)
                    || (_sectionOfDottedKeys.TryGetValue(sub, out var section) && section != _section);
                if (definedEarlier)
                {
                    throw TomlCursor.Error(part.At, $"cannot add '{Path(parts)}' with a dotted key: table " +
                        $"[{TomlSyntax.FormatKeyPath(path)}] is already defined (line {sub.Line}); write the key under its header");
                }

                _sectionOfDottedKeys[sub] = _section;
                table = sub;
            }

            var last = parts[^1].Name;
            if (table.TryGetValue(last, out var duplicate))
            {
                path.Add(last);
                throw TomlCursor.Error(parts[0].At, $"duplicate key '{TomlSyntax.FormatKeyPath(path)}' " +
                    $"(first defined at line {duplicate.Line}, column {duplicate.Column})");
            }

            table.Put(last, value);
        }

        /// <summary>A key as written: parts separated by dots, with spaces allowed around the dots.</summary>
        private List<KeyPart> ReadKey(string what)
        {
            var parts = new List<KeyPart>();
            while (true)
            {
                _cursor.SkipSpaces();
                var at = _cursor.Position;
                var name = _cursor.Peek() switch
                {
                    '"' => TomlValueReader.ReadBasicString(_cursor),
                    '\'' => TomlValueReader.ReadLiteralString(_cursor),
                    _ => ReadBareKey(what),
                };
                parts.Add(new KeyPart(name, at));
                _cursor.SkipSpaces();
                if (_cursor.Peek() != '.')
                {
                    return parts;
                }

                _cursor.Advance();
            }
        }

        private string ReadBareKey(string what)
        {
            var start = _cursor.Index;
            while (TomlSyntax.IsBareKeyCharacter(_cursor.Peek()))
            {
                _cursor.Advance();
            }

            if (_cursor.Index == start)
            {
                throw _cursor.Error($"invalid {what}: expected a {what}, found {_cursor.Describe()} " +
                    $"(bare {what}s use only A-Z a-z 0-9 _ -; quote other {what}s)");
            }

            return _cursor.Slice(start);
        }

        private static void CheckDepth(int depth, TomlPosition at)
        {
            if (depth > TomlSyntax.MaxDepth)
            {
                throw TomlCursor.Error(at, $"tables nested deeper than {TomlSyntax.MaxDepth} levels are not supported");
            }
        }

        private static string Path(List<KeyPart> parts) => TomlSyntax.FormatKeyPath(parts.Select(part => part.Name));
    }
}
