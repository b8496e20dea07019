using System.Globalization;
using System.Text;

namespace Propeller.Core.Configuration.Toml;

/// <summary>
/// Reads one value at the cursor: a string, integer, boolean or array. Floats, dates and times, inline tables and
/// multi-line strings are TOML too, but Propeller's files do not use them; they are refused by name.
/// </summary>
internal static class TomlValueReader
{
    private const string Escapes = "TOML's escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX";

    /// <param name="arrayDepth">How many arrays enclose this value.</param>
    public static TomlValue Read(TomlCursor cursor, int arrayDepth)
    {
        var at = cursor.Position;
        object value = cursor.Peek() switch
        {
            '"' => ReadBasicString(cursor),
            '\'' => ReadLiteralString(cursor),
            '[' => ReadArray(cursor, arrayDepth + 1),
            '{' => throw cursor.Error("inline tables ({...}) are not supported: write the keys under a [table] header instead"),
            _ => ReadBareValue(cursor),
        };
        return new TomlValue(value, at.Line, at.Column);
    }

    /// <summary>A <c>"…"</c> string with escapes, on one line.</summary>
    public static string ReadBasicString(TomlCursor cursor)
    {
        var start = cursor.Position;
        if (cursor.Peek(1) == '"' && cursor.Peek(2) == '"')
        {
            throw cursor.Error("multi-line strings (\"\"\"...\"\"\") are not supported: write the string on one line, with \\n for line breaks");
        }

        cursor.Advance();
        var text = new StringBuilder();
        while (cursor.Peek() != '"')
        {
            if (cursor.AtLineEnd)
            {
                throw Unterminated(cursor, start, "string", '"');
            }

            if (cursor.Peek() == '\\')
            {
                ReadEscape(cursor, text);
            }
            else
            {
                text.Append(cursor.AdvanceTextCharacter("a string"));
            }
        }

        cursor.Advance();
        return text.ToString();
    }

    /// <summary>A <c>'…'</c> string: no escapes, on one line.</summary>
    public static string ReadLiteralString(TomlCursor cursor)
    {
        var start = cursor.Position;
        if (cursor.Peek(1) == '\'' && cursor.Peek(2) == '\'')
        {
            throw cursor.Error("multi-line literal strings ('''...''') are not supported: write the string on one line");
        }

        cursor.Advance();
        var text = new StringBuilder();
        while (cursor.Peek() != '\'')
        {
            if (cursor.AtLineEnd)
            {
                throw Unterminated(cursor, start, "literal string", '\'');
            }

            text.Append(cursor.AdvanceTextCharacter("a literal string"));
        }

        cursor.Advance();
        return text.ToString();
    }

    private static TomlException Unterminated(TomlCursor cursor, TomlPosition start, string what, char quote) =>
        TomlCursor.Error(start, cursor.AtEnd
            ? $"unterminated {what}: the input ends before its closing {quote}"
            : $"unterminated {what}: no closing {quote} on its line (multi-line strings are not supported)");

    private static void ReadEscape(TomlCursor cursor, StringBuilder text)
    {
        var at = cursor.Position;
        cursor.Advance();
        var c = cursor.Peek();
        string? simple = c switch
        {
            'b' => "\b",
            't' => "\t",
            'n' => "\n",
            'f' => "\f",
            'r' => "\r",
            '"' => "\"",
            '\\' => "\\",
            _ => null,
        };
        if (simple is not null)
        {
            cursor.Advance();
            text.Append(simple);
            return;
        }

        if (c is not ('u' or 'U'))
        {
            throw TomlCursor.Error(at, $"invalid escape '\\' followed by {cursor.Describe()} in a string: {Escapes}");
        }

        var digits = c == 'u' ? 4 : 8;
        cursor.Advance();
        var codePoint = 0L;
        for (var i = 0; i < digits; i++)
        {
            var digit = HexValue(cursor.Peek());
            if (digit < 0)
            {
                throw TomlCursor.Error(at, $"invalid escape: \\{(char)c} needs {digits} hex digits, found {cursor.Describe()}");
            }

            codePoint = (codePoint * 16) + digit;
            cursor.Advance();
        }

        if (codePoint > 0x10FFFF || codePoint is >= 0xD800 and <= 0xDFFF)
        {
            throw TomlCursor.Error(at, $"invalid escape: U+{codePoint:X} is not a Unicode scalar value (surrogates and values above U+10FFFF are not characters)");
        }

        text.Append(char.ConvertFromUtf32((int)codePoint));
    }

    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static List<TomlValue> ReadArray(TomlCursor cursor, int depth)
    {
        if (depth > TomlSyntax.MaxDepth)
        {
            throw cursor.Error($"arrays nested deeper than {TomlSyntax.MaxDepth} levels are not supported");
        }

        var start = cursor.Position;
        cursor.Advance();
        var items = new List<TomlValue>();
        while (true)
        {
            SkipArraySpace(cursor, start);
            if (cursor.Peek() == ']')
            {
                break;
            }

            if (cursor.Peek() == ',')
            {
                throw cursor.Error("expected a value or ']' in the array, found ','");
            }

            items.Add(Read(cursor, depth));
            SkipArraySpace(cursor, start);
            if (cursor.Peek() == ']')
            {
                break;
            }

            if (cursor.Peek() != ',')
            {
                throw cursor.Error($"expected ',' or ']' after an array element, found {cursor.Describe()} " +
                    $"(the array starts at line {start.Line}, column {start.Column})");
            }

            cursor.Advance();
        }

        cursor.Advance();
        return items;
    }

    /// <summary>Inside arrays, newlines and comments may come between elements.</summary>
    private static void SkipArraySpace(TomlCursor cursor, TomlPosition arrayStart)
    {
        while (true)
        {
            cursor.SkipSpaces();
            cursor.SkipComment();
            if (cursor.AtEnd)
            {
                throw TomlCursor.Error(arrayStart, "unterminated array: the input ends before its closing ']'");
            }

            if (!cursor.AtLineEnd)
            {
                return;
            }

            cursor.SkipNewline();
        }
    }

    /// <summary>An unquoted value: true, false or an integer; a float, date or bare word is refused by name.</summary>
    private static object ReadBareValue(TomlCursor cursor)
    {
        var at = cursor.Position;
        var start = cursor.Index;
        while (TomlSyntax.IsBareKeyCharacter(cursor.Peek()) || cursor.Peek() is '+' or '.' or ':')
        {
            cursor.Advance();
        }

        var token = cursor.Slice(start);
        if (token.Length == 0)
        {
            throw cursor.Error($"expected a value (a string, integer, boolean or array), found {cursor.Describe()}");
        }

        var numeric = token[0] is '+' or '-' or '.' or (>= '0' and <= '9');
        return token switch
        {
            "true" => true,
            "false" => false,
            "inf" or "+inf" or "-inf" or "nan" or "+nan" or "-nan" =>
                throw TomlCursor.Error(at, $"floating-point numbers are not supported ('{Shown(token)}'): use an integer"),
            _ when LooksLikeDateOrTime(token) =>
                throw TomlCursor.Error(at, $"dates and times are not supported ('{Shown(token)}'): write them as a quoted string"),
            _ when token.StartsWith("0x", StringComparison.Ordinal) => ReadInteger(token, 2, 16, at),
            _ when token.StartsWith("0o", StringComparison.Ordinal) => ReadInteger(token, 2, 8, at),
            _ when token.StartsWith("0b", StringComparison.Ordinal) => ReadInteger(token, 2, 2, at),
            _ when numeric && token.IndexOfAny(['.', 'e', 'E']) >= 0 =>
                throw TomlCursor.Error(at, $"floating-point numbers are not supported ('{Shown(token)}'): use an integer"),
            _ when numeric => ReadInteger(token, 0, 10, at),
            _ => throw TomlCursor.Error(at,
                $"invalid value '{Shown(token)}': strings must be quoted (\"{Shown(token)}\"); unquoted values are integers, true and false"),
        };
    }

    /// <summary>A token as error messages show it: hostile input may be megabytes of one word.</summary>
    private static string Shown(string token) => token.Length <= 40 ? token : token[..40] + "...";

    private static bool LooksLikeDateOrTime(string token)
    {
        static bool Digits(string text, int start, int count) =>
            text.Length >= start + count && !text.AsSpan(start, count).ContainsAnyExceptInRange('0', '9');

        var isDate = Digits(token, 0, 4) && token.Length > 4 && token[4] == '-' && Digits(token, 5, 2);
        var isTime = Digits(token, 0, 2) && token.Length > 2 && token[2] == ':';
        return isDate || isTime;
    }

    /// <summary>
    /// Decimal integers may have a sign; hex (0x), octal (0o) and binary (0b) may not. Underscores may stand between
    /// digits; a decimal integer has no leading zero; the value must fit in a <see cref="long"/>.
    /// </summary>
    private static long ReadInteger(string token, int prefixLength, int radix, TomlPosition at)
    {
        var hasSign = radix == 10 && token[0] is '+' or '-';
        var negative = hasSign && token[0] == '-';
        var digits = token.AsSpan(hasSign ? 1 : prefixLength);
        if (hasSign && digits.Length > 1 && digits[0] == '0' && digits[1] is 'x' or 'o' or 'b')
        {
            throw TomlCursor.Error(at, $"invalid integer '{Shown(token)}': hexadecimal, octal and binary integers cannot have a sign");
        }

        if (digits.IsEmpty)
        {
            throw TomlCursor.Error(at, $"invalid integer '{Shown(token)}': no digits");
        }

        var kind = radix switch { 16 => "hexadecimal", 8 => "octal", 2 => "binary", _ => "decimal" };
        // Accumulated as a negative number, so that long.MinValue, which has no positive counterpart, fits.
        var value = 0L;
        var outOfRange = false;
        for (var i = 0; i < digits.Length; i++)
        {
            if (digits[i] == '_')
            {
                if (i == 0 || i == digits.Length - 1 || digits[i - 1] == '_' || digits[i + 1] == '_')
                {
                    throw TomlCursor.Error(at, $"invalid integer '{Shown(token)}': '_' may only stand between digits");
                }

                continue;
            }

            var digit = HexValue(digits[i]);
            if (digit < 0 || digit >= radix)
            {
                throw TomlCursor.Error(at, $"invalid integer '{Shown(token)}': '{digits[i]}' is not a {kind} digit");
            }

            outOfRange |= value < (long.MinValue + digit) / radix;
            value = unchecked((value * radix) - digit);
        }

        if (radix == 10 && digits.Length > 1 && digits[0] == '0')
        {
            throw TomlCursor.Error(at, $"invalid integer '{Shown(token)}': leading zeros are not allowed");
        }

        if (outOfRange || (!negative && value == long.MinValue))
        {
            throw TomlCursor.Error(at, $"integer '{Shown(token)}' is out of range: integers must fit in 64 bits ({long.MinValue} to {long.MaxValue})");
        }

        return negative ? value : -value;
    }
}
