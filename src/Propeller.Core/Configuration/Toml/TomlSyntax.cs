using System.Globalization;
using System.Text;

namespace Propeller.Core.Configuration.Toml;

/// <summary>How keys and values are spelled in TOML text; shared by the writer and the reader's error messages.</summary>
internal static class TomlSyntax
{
    /// <summary>How deep tables and arrays may nest; deeper input is refused so that nothing recurses without bound.</summary>
    public const int MaxDepth = 64;

    public static bool IsBareKeyCharacter(int c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    public static bool IsBareKey(string key) => key.Length > 0 && key.All(c => IsBareKeyCharacter(c));

    /// <summary>Whether a comment may hold this text: no control characters but tab, no lone UTF-16 surrogates.</summary>
    public static bool IsCommentText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if ((c < ' ' && c != '\t') || c == '\u007F' || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The key as written: bare when it can be, otherwise a quoted basic string.</summary>
    public static string FormatKey(string key) => IsBareKey(key) ? key : FormatString(key);

    public static string FormatKeyPath(IEnumerable<string> path) => string.Join('.', path.Select(FormatKey));

    /// <summary>A basic string: quotes, backslashes and control characters escaped, everything else as it is.</summary>
    /// <exception cref="ArgumentException">The text has a lone UTF-16 surrogate, which no TOML text can hold.</exception>
    public static string FormatString(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\b': quoted.Append("\\b"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\f': quoted.Append("\\f"); break;
                case '\r': quoted.Append("\\r"); break;
                case < ' ' or '\u007F':
                    quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        quoted.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        throw new ArgumentException(
                            $"the text has a lone UTF-16 surrogate U+{(int)c:X4} at index {i}, which TOML cannot hold", nameof(text));
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>A value on one line: string, integer, boolean or array (arrays may nest up to <see cref="MaxDepth"/>).</summary>
    public static string FormatValue(object value, int depth = 1) => value switch
    {
        string text => FormatString(text),
        long number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IReadOnlyList<TomlValue> _ when depth > MaxDepth =>
            throw new ArgumentException($"arrays nested deeper than {MaxDepth} levels cannot be read back", nameof(value)),
        IReadOnlyList<TomlValue> items => "[" + string.Join(", ", items.Select(item => FormatValue(item.Value, depth + 1))) + "]",
        TomlTable => throw new ArgumentException("a table inside an array cannot be written (arrays of tables are not supported)", nameof(value)),
        _ => throw new ArgumentException($"a {value.GetType().Name} is not a TOML value", nameof(value)),
    };
}
