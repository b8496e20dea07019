using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

public class TomlReaderErrorTests
{
    private static readonly string DeepArray = "v = " + new string('[', 65) + new string(']', 65);
    private static readonly string DeepTable = "[" + string.Join('.', Enumerable.Repeat("a", 65)) + "]";
    private static readonly string DeepDottedKey = "[" + string.Join('.', Enumerable.Repeat("a", 60)) + "]\n" +
        string.Join('.', Enumerable.Repeat("b", 6)) + " = 1";

    /// <summary>Each refused construct: the text, where the error points (line, column), and words the reason must contain.</summary>
    public static TheoryData<string, int, int, string> Refused => new()
    {
        // Parts of TOML that Propeller's files do not use.
        { "v = 3.14", 1, 5, "floating-point numbers are not supported" },
        { "v = 1e6", 1, 5, "floating-point numbers are not supported" },
        { "v = 5e+22", 1, 5, "floating-point numbers are not supported" },
        { "v = -0.5", 1, 5, "floating-point numbers are not supported" },
        { "v = inf", 1, 5, "floating-point numbers are not supported" },
        { "v = -inf", 1, 5, "floating-point numbers are not supported" },
        { "v = nan", 1, 5, "floating-point numbers are not supported" },
        { "v = 1979-05-27", 1, 5, "dates and times are not supported" },
        { "v = 1979-05-27T07:32:00Z", 1, 5, "dates and times are not supported" },
        { "v = 1979-05-27 07:32:00", 1, 5, "dates and times are not supported" },
        { "v = 07:32:00", 1, 5, "dates and times are not supported" },
        { "point = { x = 1, y = 2 }", 1, 9, "inline tables ({...}) are not supported" },
        { "a = 1\n[[products]]\nname = \"x\"", 2, 1, "arrays of tables ([[name]]) are not supported" },
        { "v = \"\"\"\nmulti\n\"\"\"", 1, 5, "multi-line strings (\"\"\"...\"\"\") are not supported" },
        { "v = '''multi'''", 1, 5, "multi-line literal strings ('''...''') are not supported" },

        // Keys and tables defined twice, against TOML's rules.
        { "a = 1\na = 2", 2, 1, "duplicate key 'a' (first defined at line 1, column 1)" },
        { "a = 1\n\"a\" = 2", 2, 1, "duplicate key 'a'" },
        { "a.b = 1\na.b = 2", 2, 1, "duplicate key 'a.b'" },
        { "[t]\nx = 1\n  x = 2", 3, 3, "duplicate key 't.x'" },
        { "[a.b]\n[a]\nb = 1", 3, 1, "duplicate key 'a.b'" },
        { "[a]\n[a]", 2, 1, "table [a] is defined twice (first at line 1)" },
        { "[a]\nx = 1\n[b]\n[ a ]", 4, 1, "table [a] is defined twice" },
        { "a = 1\n[a]", 2, 1, "cannot define table [a]: 'a' is already a value (line 1)" },
        { "[a]\nb = 1\n[a.b.c]", 3, 1, "cannot define table [a.b.c]: 'a.b' is already a value" },
        { "[a]\nb.c = 1\n[a.b]", 3, 1, "table [a.b] is already defined by dotted keys" },
        { "b.c = 1\n[b]", 2, 1, "table [b] is already defined by dotted keys" },
        { "[a.b]\nx = 1\n[a]\nb.c = 1", 4, 1, "cannot add 'b.c' with a dotted key: table [a.b] is already defined" },
        { "[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3, "cannot add 'b.c.t' with a dotted key: table [a.b.c] is already defined" },
        { "[x]\na.b = 1\n[y]\n[x.a]", 4, 1, "table [x.a] is already defined by dotted keys" },
        { "a.b = 1\na.b.c = 2", 2, 3, "cannot set 'a.b.c': 'a.b' is already a value (line 1), not a table" },

        // Keys and values missing or misplaced.
        { "name", 1, 1, "key 'name' has no value" },
        { "name # comment", 1, 1, "key 'name' has no value" },
        { "[t]\nname\nother = 1", 2, 1, "key 'name' has no value: write 'name = value'" },
        { "name =", 1, 7, "key 'name' has no value after '='" },
        { "name =   # comment", 1, 10, "key 'name' has no value after '='" },
        { "= 1", 1, 1, "a value without a key" },
        { "  = \"x\"", 1, 3, "a value without a key" },
        { "v = ,", 1, 5, "expected a value (a string, integer, boolean or array), found ','" },
        { "v = hello", 1, 5, "invalid value 'hello': strings must be quoted" },
        { "v = True", 1, 5, "invalid value 'True': strings must be quoted" },

        // Unterminated strings, arrays and headers.
        { "v = \"abc", 1, 5, "unterminated string: the input ends before its closing \"" },
        { "v = \"abc\nw = 1", 1, 5, "unterminated string: no closing \" on its line" },
        { "v = \"abc\r\nw = 1", 1, 5, "unterminated string: no closing \" on its line" },
        { "v = 'abc", 1, 5, "unterminated literal string: the input ends before its closing '" },
        { "v = 'abc\n'", 1, 5, "unterminated literal string: no closing ' on its line" },
        { "\"key", 1, 1, "unterminated string" },
        { "v = [1, 2", 1, 5, "unterminated array: the input ends before its closing ']'" },
        { "v = [1, 2\n# more\n", 1, 5, "unterminated array" },
        { "v = [1, 2\nw = 3", 2, 1, "expected ',' or ']' after an array element, found 'w' (the array starts at line 1, column 5)" },
        { "[table", 1, 1, "unterminated table header: missing ']'" },

        // Text after a value or header.
        { "v = 1 2", 1, 7, "unexpected '2' after the value: expected a comment or the end of the line" },
        { "v = \"a\"\"b\"", 1, 8, "unexpected '\"' after the value" },
        { "v = true false", 1, 10, "unexpected 'f' after the value" },
        { "v = [1] ]", 1, 9, "unexpected ']' after the value" },
        { "[t] x = 1", 1, 5, "unexpected 'x' after the table header" },
        { "v = 1 \u0001", 1, 7, "unexpected U+0001 after the value" },

        // Invalid keys and table names.
        { "a b = 1", 1, 3, "invalid key: unexpected 'b' after 'a', expected '='" },
        { "key@ = 1", 1, 4, "invalid key: unexpected '@' after 'key'" },
        { "@ = 1", 1, 1, "invalid key: expected a key, found '@'" },
        { "a. = 1", 1, 4, "invalid key: expected a key, found '='" },
        { "a..b = 1", 1, 3, "invalid key: expected a key, found '.'" },
        { ".a = 1", 1, 1, "invalid key: expected a key, found '.'" },
        { "]", 1, 1, "invalid key: expected a key, found ']'" },
        { "\u00E9 = 1", 1, 1, "invalid key: expected a key, found '\u00E9'" },
        { "\"\"\"k\"\"\" = 1", 1, 1, "multi-line strings" },
        { "[]", 1, 1, "empty table name" },
        { "[a b]", 1, 4, "invalid table name: unexpected 'b', expected '.' or ']'" },
        { "[a.]", 1, 4, "invalid table name: expected a table name, found ']'" },
        { "[.a]", 1, 2, "invalid table name: expected a table name, found '.'" },
        { "[a=1]", 1, 3, "invalid table name: unexpected '='" },

        // Escapes and characters strings may not hold.
        { "v = \"\\x\"", 1, 6, "invalid escape '\\' followed by 'x' in a string" },
        { "v = \"\\e\"", 1, 6, "invalid escape '\\' followed by 'e'" },
        { "v = \"a\\ b\"", 1, 7, "invalid escape '\\' followed by ' '" },
        { "v = \"\\", 1, 6, "invalid escape '\\' followed by the end of the input" },
        { "v = \"\\u12\"", 1, 6, "invalid escape: \\u needs 4 hex digits, found '\"'" },
        { "v = \"\\U0001F60\"", 1, 6, "invalid escape: \\U needs 8 hex digits" },
        { "v = \"\\uD800\"", 1, 6, "invalid escape: U+D800 is not a Unicode scalar value" },
        { "v = \"\\uDFFF\"", 1, 6, "invalid escape: U+DFFF is not a Unicode scalar value" },
        { "v = \"\\U00110000\"", 1, 6, "invalid escape: U+110000 is not a Unicode scalar value" },
        { "v = \"\\UFFFFFFFF\"", 1, 6, "invalid escape: U+FFFFFFFF is not a Unicode scalar value" },
        { "v = \"a\u0001b\"", 1, 7, "control character U+0001 is not allowed in a string: write it as the escape \\u0001" },
        { "v = \"a\u007Fb\"", 1, 7, "control character U+007F is not allowed in a string" },
        { "v = \"a\rb\"", 1, 7, "control character U+000D is not allowed in a string" },
        { "v = 'a\u0000b'", 1, 7, "control character U+0000 is not allowed in a literal string" },
        { "# comment \u0007 bell", 1, 11, "control character U+0007 is not allowed in a comment" },
        { "v = 1 # a\rb", 1, 10, "control character U+000D is not allowed in a comment" },
        { "\r", 1, 1, "invalid key: expected a key, found U+000D" },

        // Integers.
        { "v = 012", 1, 5, "invalid integer '012': leading zeros are not allowed" },
        { "v = -012", 1, 5, "leading zeros are not allowed" },
        { "v = 1__000", 1, 5, "invalid integer '1__000': '_' may only stand between digits" },
        { "v = 1_", 1, 5, "'_' may only stand between digits" },
        { "v = 0x_1", 1, 5, "'_' may only stand between digits" },
        { "v = _1", 1, 5, "invalid value '_1': strings must be quoted" },
        { "v = 9223372036854775808", 1, 5, "integer '9223372036854775808' is out of range: integers must fit in 64 bits" },
        { "v = -9223372036854775809", 1, 5, "is out of range" },
        { "v = 99999999999999999999999", 1, 5, "is out of range" },
        { "v = 0x8000000000000000", 1, 5, "is out of range" },
        { "v = 0b1111111111111111111111111111111111111111111111111111111111111111", 1, 5, "is out of range" },
        { "v = 0xG1", 1, 5, "invalid integer '0xG1': 'G' is not a hexadecimal digit" },
        { "v = 0o8", 1, 5, "'8' is not a octal digit" },
        { "v = 0b102", 1, 5, "'2' is not a binary digit" },
        { "v = 0x", 1, 5, "invalid integer '0x': no digits" },
        { "v = +0x1F", 1, 5, "hexadecimal, octal and binary integers cannot have a sign" },
        { "v = 0X1F", 1, 5, "'X' is not a decimal digit" },
        { "v = 12abc", 1, 5, "'a' is not a decimal digit" },
        { "v = +", 1, 5, "invalid integer '+': no digits" },
        { "v = .5", 1, 5, "floating-point numbers are not supported" },
        { "v = " + new string('w', 100), 1, 5, $"invalid value '{new string('w', 40)}...': strings must be quoted" },

        // Arrays.
        { "v = [1,,2]", 1, 8, "expected a value or ']' in the array, found ','" },
        { "v = [,]", 1, 6, "expected a value or ']' in the array" },
        { "v = [1 2]", 1, 8, "expected ',' or ']' after an array element, found '2'" },
        { "v = [{ a = 1 }]", 1, 6, "inline tables" },
        { DeepArray, 1, 69, "arrays nested deeper than 64 levels are not supported" },
        { DeepTable, 1, 1, "tables nested deeper than 64 levels are not supported" },
        { DeepDottedKey, 2, 1, "tables nested deeper than 64 levels are not supported" },

        // Positions: CRLF, tabs, characters outside the BMP, and a byte order mark.
        { "a = 1\r\nb = 2\r\n\r\nb = 3\r\n", 4, 1, "duplicate key 'b'" },
        { "\tv = 1 x", 1, 8, "unexpected 'x' after the value" },
        { "v = \"\U0001F600\" x", 1, 9, "unexpected 'x' after the value" },
        { "v = \"\U0001F600\U0001F600\\q\"", 1, 8, "invalid escape" },
        { "\uFEFFv = 1 x", 1, 7, "unexpected 'x' after the value" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses_with_the_line_column_and_reason(string text, int line, int column, string reason)
    {
        var error = Assert.Throws<TomlException>(() => TomlReader.Parse(text));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal($"line {line}, column {column}: {error.Reason}", error.Message);
    }

    // Not in the theory: xunit replaces lone surrogates when it serializes theory data.
    [Theory]
    [InlineData('"', 0xD800)]
    [InlineData('"', 0xDBFF)]
    [InlineData('\'', 0xDC00)]
    public void Refuses_a_lone_surrogate_in_a_string(char quote, int surrogate)
    {
        var text = $"v = {quote}a{(char)surrogate}{quote}";

        var error = Assert.Throws<TomlException>(() => TomlReader.Parse(text));

        Assert.Contains($"U+{surrogate:X4} is half of a UTF-16 surrogate pair", error.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 7), (error.Line, error.Column));
    }

    [Fact]
    public void Hostile_nesting_is_refused_without_exhausting_the_stack()
    {
        var text = "v = " + new string('[', 1_000_000);

        var error = Assert.Throws<TomlException>(() => TomlReader.Parse(text));

        Assert.Contains("nested deeper than 64", error.Reason, StringComparison.Ordinal);
    }
}
