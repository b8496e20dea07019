using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

public class TomlReaderTests
{
    private static object ValueOf(string text, string key = "v")
    {
        Assert.True(TomlReader.Parse(text).TryGetValue(key, out var value), $"no key '{key}' in: {text}");
        return value.Value;
    }

    private static string Dump(string text) => TomlDump.Of(TomlReader.Parse(text));

    [Fact]
    public void An_empty_document_or_one_of_comments_and_blank_lines_is_an_empty_table()
    {
        Assert.Empty(TomlReader.Parse("").Keys);
        Assert.Empty(TomlReader.Parse("# only a comment\n\n   \t\n# another # with hashes\n").Keys);
    }

    [Fact]
    public void Reads_each_kind_of_value_with_its_exact_value()
    {
        var text = """
            name = "manager"   # a comment after a value
            path = 'C:\Users\x'
            port = 7070
            debug = true
            quiet = false
            keys = ["a", "b"]
            """;

        Assert.Equal(
            """{"name": "manager", "path": "C:\u005CUsers\u005Cx", "port": 7070, "debug": true, "quiet": false, "keys": ["a", "b"]}""",
            Dump(text));
    }

    [Fact]
    public void Tables_hold_their_keys_in_document_order_and_know_their_header_line()
    {
        var root = TomlReader.Parse("top = 1\n\n[manager]\nz = 1\na = 2\n\n  [proplet]  # workers\nid = \"p\"\n");

        Assert.Equal(["top", "manager", "proplet"], root.Keys);
        var manager = root.Table("manager")!;
        Assert.Equal(["z", "a"], manager.Keys);
        Assert.Equal(3, manager.Line);
        Assert.Equal(1, manager.Column);
        Assert.Equal(7, root.Table("proplet")!.Line);
        Assert.Equal(3, root.Table("proplet")!.Column);
        Assert.Equal(0, root.Line);
    }

    [Fact]
    public void Table_returns_null_for_a_missing_key_and_refuses_a_key_that_is_not_a_table()
    {
        var root = TomlReader.Parse("port = 7070\n");

        Assert.Null(root.Table("manager"));
        var error = Assert.Throws<InvalidOperationException>(() => root.Table("port"));
        Assert.Contains("'port'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotted_headers_with_spaces_and_quoted_parts_name_nested_tables()
    {
        var text = "[ a . \"b.c\" . 'd e' ]\nx = 1\n";

        Assert.Equal("""{"a": {"b.c": {"d e": {"x": 1}}}}""", Dump(text));
    }

    [Theory]
    [InlineData("bare_key-1 = 1", "bare_key-1")]
    [InlineData("1234 = 1", "1234")]
    [InlineData("- = 1", "-")]
    [InlineData("true = 1", "true")]
    [InlineData("\"key with spaces\" = 1", "key with spaces")]
    [InlineData("\"quoted \\\"escape\\\" \\u00E9\" = 1", "quoted \"escape\" \u00E9")]
    [InlineData("'literal \\n key' = 1", "literal \\n key")]
    [InlineData("\"\" = 1", "")]
    [InlineData("\"\u0436\U0001F600\" = 1", "\u0436\U0001F600")]
    public void Reads_bare_basic_quoted_and_literal_quoted_keys(string text, string key)
    {
        Assert.Equal([key], TomlReader.Parse(text).Keys);
    }

    [Fact]
    public void Dotted_keys_make_sub_tables_and_may_keep_adding_to_them_in_the_same_section()
    {
        var text = """
            name.first = "Ada"
            name . last = "Lovelace"
            site."google.com" = true
            3.14 = "pi"

            [fruit]
            apple.color = "red"
            apple.taste.sweet = true

            [fruit.apple.texture]
            smooth = true
            """;

        Assert.Equal(
            """{"name": {"first": "Ada", "last": "Lovelace"}, "site": {"google.com": true}, "3": {"14": "pi"}, "fruit": """ +
            """{"apple": {"color": "red", "taste": {"sweet": true}, "texture": {"smooth": true}}}}""",
            Dump(text));
    }

    [Fact]
    public void A_table_made_implicitly_by_a_sub_table_header_may_be_defined_later_once()
    {
        var root = TomlReader.Parse("[a.b.c]\nz = 1\n\n[a]\nx = 2\n");

        Assert.Equal("""{"a": {"b": {"c": {"z": 1}}, "x": 2}}""", TomlDump.Of(root));
        Assert.Equal(4, root.Table("a")!.Line);
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"\"", "")]
    [InlineData("\"\\b\\t\\n\\f\\r\\\"\\\\\"", "\b\t\n\f\r\"\\")]
    [InlineData("\"\\u00E9\\u00e9\"", "\u00E9\u00E9")]
    [InlineData("\"\\U0001F600\"", "\U0001F600")]
    [InlineData("\"\\U0010FFFF\"", "\U0010FFFF")]
    [InlineData("\"\\u0000\\u001F\\u007F\"", "\u0000\u001F\u007F")]
    [InlineData("\"a\tb\"", "a\tb")]
    [InlineData("\"# not a comment\"", "# not a comment")]
    [InlineData("\"\u00E9\U0001F600\"", "\u00E9\U0001F600")]
    [InlineData("'\\n stays \"as is\"'", "\\n stays \"as is\"")]
    [InlineData("''", "")]
    [InlineData("'tab\there'", "tab\there")]
    public void Reads_strings_with_every_escape(string literal, string expected)
    {
        Assert.Equal(expected, ValueOf($"v = {literal}"));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("+0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("+99", 99L)]
    [InlineData("42", 42L)]
    [InlineData("-17", -17L)]
    [InlineData("1_000", 1000L)]
    [InlineData("5_349_221", 5349221L)]
    [InlineData("1_2_3_4_5", 12345L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0xDEADBEEF", 0xDEADBEEFL)]
    [InlineData("0xdead_beef", 0xDEADBEEFL)]
    [InlineData("0x00ff", 255L)]
    [InlineData("0x7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("0o755", 493L)]
    [InlineData("0o01234567", 342391L)]
    [InlineData("0b11010110", 214L)]
    [InlineData("0b1_0", 2L)]
    public void Reads_integers_in_every_base(string literal, long expected)
    {
        Assert.Equal(expected, ValueOf($"v = {literal}"));
    }

    [Fact]
    public void Reads_booleans()
    {
        Assert.Equal(true, ValueOf("v = true"));
        Assert.Equal(false, ValueOf("v = false"));
    }

    [Fact]
    public void Reads_arrays_nested_multi_line_with_comments_and_a_trailing_comma()
    {
        var text = """
            empty = []
            mixed = [1, "two", true, [3, 'four'], []]
            keys = [
              "a",   # first key
              # a comment on its own line

              "b",
            ]
            nested = [[[1]], [[2, 3]]]
            """;

        Assert.Equal(
            """{"empty": [], "mixed": [1, "two", true, [3, "four"], []], "keys": ["a", "b"], "nested": [[[1]], [[2, 3]]]}""",
            Dump(text));
    }

    [Fact]
    public void Arrays_may_nest_64_deep()
    {
        var value = ValueOf($"v = {new string('[', 64)}{new string(']', 64)}");

        var depth = 0;
        while (value is IReadOnlyList<TomlValue> items && depth < 100)
        {
            depth++;
            value = items.Count == 0 ? "end" : items[0].Value;
        }

        Assert.Equal(64, depth);
    }

    [Fact]
    public void Tables_may_nest_64_deep_and_hold_values_there()
    {
        var text = "[" + string.Join('.', Enumerable.Repeat("a", 64)) + "]\nx = 1\n" +
            "[" + string.Join('.', Enumerable.Repeat("b", 60)) + "]\nc.c.c.c.y = 2\n";

        var root = TomlReader.Parse(text);

        Assert.Equal(64, Depth(root, "a", "x"));
        Assert.Equal(64, Depth(root, "b", "y"));
        Assert.Equal(TomlDump.Of(root, sortKeys: true), TomlDump.Of(TomlReader.Parse(TomlWriter.Write(root)), sortKeys: true));

        static int Depth(TomlTable table, string first, string valueKey)
        {
            var depth = 0;
            for (var next = table.Table(first); next is not null; next = next.Table(next.Keys.First()))
            {
                table = next;
                depth++;
                if (table.TryGetValue(valueKey, out _))
                {
                    break;
                }
            }

            return depth;
        }
    }

    [Fact]
    public void Values_know_the_line_and_column_of_their_key_and_array_elements_their_own()
    {
        var root = TomlReader.Parse("# header\n[cli]\n  \"\U0001F600\" = 1\n\tports = [\n  7070,\n  8080 ]\n");

        var cli = root.Table("cli")!;
        Assert.True(cli.TryGetValue("\U0001F600", out var emoji));
        Assert.Equal((3, 3), (emoji.Line, emoji.Column));
        Assert.True(cli.TryGetValue("ports", out var ports));
        Assert.Equal((4, 2), (ports.Line, ports.Column));
        var items = Assert.IsAssignableFrom<IReadOnlyList<TomlValue>>(ports.Value);
        Assert.Equal([(5, 3), (6, 3)], items.Select(item => (item.Line, item.Column)));
    }

    [Fact]
    public void Reads_CRLF_line_endings_and_ignores_a_leading_byte_order_mark()
    {
        var text = "\uFEFF# config\r\n[manager]\r\nkeys = [\r\n  \"a\",\r\n]\r\nport = 7070\r\n";

        var root = TomlReader.Parse(text);

        Assert.Equal("""{"manager": {"keys": ["a"], "port": 7070}}""", TomlDump.Of(root));
        Assert.True(root.Table("manager")!.TryGetValue("port", out var port));
        Assert.Equal((6, 1), (port.Line, port.Column));
    }

    [Fact]
    public void A_document_without_a_final_newline_is_read()
    {
        Assert.Equal(7070L, ValueOf("v = 7070"));
        Assert.Equal(7070L, ValueOf("v = 7070 # no newline"));
    }

    [Fact]
    public void Reads_a_config_toml_as_an_operator_would_write_it()
    {
        var text = """
            # Propeller configuration, written by propeller-cli provision.
            # Keep this file private: it holds client keys.

            [manager]
            domain_id = "5d2a9c8e-0000-4a5e-8f6b-1c2d3e4f5a6b"
            client_id = "manager-1"
            client_key = "f0e1d2c3-secret"
            channel_id = "c-0001"
            http_port = 7070
            api_keys = ["key-one", "key-two"]

            [proplet]
            domain_id = "5d2a9c8e-0000-4a5e-8f6b-1c2d3e4f5a6b"
            client_id = "proplet-1"
            client_key = 'k\with\backslashes'
            channel_id = "c-0001"
            runtime_debug = true  # verbose WebAssembly runtime logs

            [cli]
            manager_url = "http://localhost:7070"
            api_keys = [
                "key-one",
            ]
            """;

        var root = TomlReader.Parse(text);

        Assert.Equal(["manager", "proplet", "cli"], root.Keys);
        Assert.Equal(
            """{"domain_id": "5d2a9c8e-0000-4a5e-8f6b-1c2d3e4f5a6b", "client_id": "manager-1", "client_key": "f0e1d2c3-secret", "channel_id": "c-0001", "http_port": """ +
            """7070, "api_keys": ["key-one", "key-two"]}""",
            TomlDump.Of(root.Table("manager")!));
        Assert.Equal(
            """{"domain_id": "5d2a9c8e-0000-4a5e-8f6b-1c2d3e4f5a6b", "client_id": "proplet-1", "client_key": "k\u005Cwith\u005Cbackslashes", "channel_id": "c-0001", "runtime_debug": """ +
            """true}""",
            TomlDump.Of(root.Table("proplet")!));
        Assert.Equal("""{"manager_url": "http://localhost:7070", "api_keys": ["key-one"]}""", TomlDump.Of(root.Table("cli")!));
        Assert.True(root.Table("proplet")!.TryGetValue("runtime_debug", out var debug));
        Assert.Equal((17, 1), (debug.Line, debug.Column));
    }

    [Fact]
    public void Reads_a_long_document_in_one_pass()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"[t{i}]\nkey = \"{new string('x', 50)}\"\nn = {i}\n"));

        var root = TomlReader.Parse(text);

        Assert.Equal(20_000, root.Count);
        Assert.True(root.Table("t19999")!.TryGetValue("n", out var n));
        Assert.Equal(19_999L, n.Value);
        Assert.Equal((60_000, 1), (n.Line, n.Column));
    }
}
