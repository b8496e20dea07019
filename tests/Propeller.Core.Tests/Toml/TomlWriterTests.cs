using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

public class TomlWriterTests
{
    [Fact]
    public void Writes_comments_tables_and_keys_in_the_order_given()
    {
        var text = new TomlWriter()
            .Comment("Propeller configuration\nwritten by a test")
            .Key("version", 1)
            .Table("manager")
            .Key("domain_id", "d-1")
            .Key("http_port", 7070L)
            .Key("api_keys", new[] { "a", "b" })
            .Key("debug", true)
            .Key("lowest", long.MinValue)
            .BlankLine()
            .Comment("")
            .Key("key with spaces", "x")
            .Table("a.b c")
            .Key("ports", new long[] { 1, 2 })
            .Key("empty", Array.Empty<string>())
            .Key("nested", new object[] { 1, new[] { "two" }, false })
            .ToString();

        Assert.Equal(
            """
            # Propeller configuration
            # written by a test
            version = 1

            [manager]
            domain_id = "d-1"
            http_port = 7070
            api_keys = ["a", "b"]
            debug = true
            lowest = -9223372036854775808

            #
            "key with spaces" = "x"

            [a."b c"]
            ports = [1, 2]
            empty = []
            nested = [1, ["two"], false]

            """,
            text);
        Assert.Equal(
            """{"version": 1, "manager": {"domain_id": "d-1", "http_port": 7070, "api_keys": ["a", "b"], "debug": true, "lowest": """ +
            """-9223372036854775808, "key with spaces": "x"}, "a": {"b c": {"ports": [1, 2], "empty": [], "nested": [1, ["two"], false]}}}""",
            TomlDump.Of(TomlReader.Parse(text)));
    }

    [Fact]
    public void An_empty_writer_writes_nothing_and_a_first_table_has_no_blank_line_before_it()
    {
        Assert.Equal("", new TomlWriter().ToString());
        Assert.Equal("[t]\n", new TomlWriter().Table("t").ToString());
    }

    [Fact]
    public void Escapes_what_a_basic_string_cannot_hold_and_keeps_other_characters()
    {
        var value = "q\"b\\t\u0001\u001F\u007F\t\n\r\b\f \u00E9 \u0436 \U0001F600 \u0085";

        var text = new TomlWriter().Key("s", value).ToString();

        Assert.Equal("s = \"q\\\"b\\\\t\\u0001\\u001F\\u007F\\t\\n\\r\\b\\f \u00E9 \u0436 \U0001F600 \u0085\"\n", text);
        Assert.True(TomlReader.Parse(text).TryGetValue("s", out var read));
        Assert.Equal(value, read.Value);
    }

    [Theory]
    [InlineData("bare_Key-09", "bare_Key-09")]
    [InlineData("", "\"\"")]
    [InlineData("a.b", "\"a.b\"")]
    [InlineData("with space", "\"with space\"")]
    [InlineData("quote\"back\\slash", "\"quote\\\"back\\\\slash\"")]
    [InlineData("\u00E9t\u00E9", "\"\u00E9t\u00E9\"")]
    [InlineData("new\nline", "\"new\\nline\"")]
    public void Quotes_keys_that_are_not_bare(string key, string written)
    {
        var text = new TomlWriter().Key(key, 1).ToString();

        Assert.Equal($"{written} = 1\n", text);
        Assert.Equal([key], TomlReader.Parse(text).Keys);
    }

    [Fact]
    public void Table_names_are_split_on_dots_unless_given_as_a_path()
    {
        Assert.Equal("[a.\"b c\".d]\n", new TomlWriter().Table("a.b c.d").ToString());
        Assert.Equal("[\"a.b\".c]\n", new TomlWriter().Table(["a.b", "c"]).ToString());
    }

    [Fact]
    public void A_table_given_to_Key_is_written_as_dotted_keys()
    {
        var server = new TomlTable();
        server.Set("port", 7070);
        var tls = new TomlTable();
        tls.Set("cert file", "/etc/cert.pem");
        server.Set("tls", tls);

        var text = new TomlWriter().Table("manager").Key("server", server).ToString();

        Assert.Equal("[manager]\nserver.port = 7070\nserver.tls.\"cert file\" = \"/etc/cert.pem\"\n", text);
        Assert.Equal("""{"manager": {"server": {"port": 7070, "tls": {"cert file": "/etc/cert.pem"}}}}""", TomlDump.Of(TomlReader.Parse(text)));
    }

    [Fact]
    public void Write_puts_values_first_then_each_sub_table_under_its_header()
    {
        var root = new TomlTable();
        var t = new TomlTable();
        t.Set("a", 1);
        var sub = new TomlTable();
        sub.Set("b", "two");
        t.Set("sub", sub);
        root.Set("t", t);
        root.Set("name", "x");
        var onlyTables = new TomlTable();
        var deep = new TomlTable();
        deep.Set("c", true);
        onlyTables.Set("deep", deep);
        root.Set("only", onlyTables);
        root.Set("empty", new TomlTable());
        root.Set("list", new object[] { 1, new[] { 2 } });

        var text = TomlWriter.Write(root);

        Assert.Equal(
            """
            name = "x"
            list = [1, [2]]

            [t]
            a = 1

            [t.sub]
            b = "two"

            [only.deep]
            c = true

            [empty]

            """,
            text);
        Assert.Equal(TomlDump.Of(root, sortKeys: true), TomlDump.Of(TomlReader.Parse(text), sortKeys: true));
    }

    [Fact]
    public void Write_reproduces_a_parsed_document()
    {
        var original = TomlReader.Parse(ProvisionedConfig.Text);

        var again = TomlReader.Parse(TomlWriter.Write(original));

        Assert.Equal(TomlDump.Of(original), TomlDump.Of(again));
    }

    [Fact]
    public void Writes_a_config_toml_as_propeller_cli_provision_does()
    {
        var text = ProvisionedConfig.Build().ToString();

        Assert.Equal(ProvisionedConfig.Text, text);
        var root = TomlReader.Parse(text);
        Assert.Equal(["manager", "proplet", "cli"], root.Keys);
        Assert.True(root.Table("manager")!.TryGetValue("api_keys", out var keys));
        Assert.Equal(["k-1", "k-2"], Assert.IsAssignableFrom<IReadOnlyList<TomlValue>>(keys.Value).Select(key => key.Value));
        Assert.True(root.Table("proplet")!.TryGetValue("runtime_debug", out var debug));
        Assert.Equal(false, debug.Value);
        Assert.True(root.Table("cli")!.TryGetValue("manager_url", out var url));
        Assert.Equal("http://localhost:7070", url.Value);
    }

    [Fact]
    public void Set_converts_values_and_keeps_a_key_in_its_first_place()
    {
        var table = new TomlTable();
        table.Set("port", 7070);
        table.Set("keys", new List<string> { "a" });
        table.Set("port", 8080L);

        Assert.Equal(["port", "keys"], table.Keys);
        Assert.True(table.TryGetValue("port", out var port));
        Assert.Equal(new TomlValue(8080L, 0, 0), port);
        Assert.True(table.TryGetValue("keys", out var keys));
        Assert.Equal("a", Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<TomlValue>>(keys.Value)).Value);
    }

    [Fact]
    public void Refuses_what_TOML_text_cannot_hold()
    {
        var writer = new TomlWriter();
        Assert.Throws<ArgumentException>(() => writer.Key("f", 1.5));
        Assert.Throws<ArgumentException>(() => writer.Key("s", "half \uD800 pair"));
        Assert.Throws<ArgumentException>(() => writer.Key("half \uDC00", 1));
        Assert.Throws<ArgumentException>(() => writer.Comment("bell \u0007"));
        Assert.Throws<ArgumentException>(() => writer.Key("t", new TomlTable()));
        Assert.Throws<ArgumentException>(() => writer.Key("tables", new[] { new TomlTable() }));
        Assert.Throws<ArgumentNullException>(() => writer.Key("n", null!));
        Assert.Equal("", writer.ToString());

        var cycle = new TomlTable();
        cycle.Set("x", 1);
        cycle.Set("self", cycle);
        Assert.Throws<ArgumentException>(() => TomlWriter.Write(cycle));

        var deepArray = (object)Array.Empty<long>();
        for (var i = 0; i < 64; i++)
        {
            deepArray = new[] { deepArray };
        }

        Assert.Throws<ArgumentException>(() => new TomlWriter().Key("deep", deepArray));
    }
}
