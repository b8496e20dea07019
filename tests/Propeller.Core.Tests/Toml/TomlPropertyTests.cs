using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

/// <summary>
/// Properties checked on random input (FsCheck; FsCheck.Xunit is not in the NuGet source, so each property runs
/// from a plain [Fact] and throws on the first counter-example, shrunk).
/// </summary>
public class TomlPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>Any Unicode scalar value, with TOML's special and control characters and non-BMP characters often.</summary>
    private static readonly Gen<string> AnyCharacter = Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7E)),
        (3, Gen.Elements('"', '\'', '\\', '#', '=', '.', '[', ']', ' ', '\t', '\n', '\r').Select(c => (int)c)),
        (2, Gen.Choose(0x00, 0x1F)),
        (1, Gen.Constant(0x7F)),
        (2, Gen.Choose(0x80, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFF)),
        (2, Gen.Choose(0x10000, 0x10FFFF)))
        .Select(char.ConvertFromUtf32);

    private static readonly Gen<string> AnyText = Gen.ListOf(AnyCharacter).Select(string.Concat);

    private static readonly Gen<string> BareKey = Gen.NonEmptyListOf(Gen.Elements("abcxyzABCXYZ0189_-".ToCharArray()))
        .Select(chars => new string([.. chars]));

    private static readonly Gen<string> AnyKey = Gen.Frequency((1, BareKey), (1, AnyText));

    private static readonly Gen<long> AnyLong = Gen.Frequency(
        (1, Gen.Elements(0L, 1L, -1L, long.MinValue, long.MaxValue)),
        (3, Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue))
            .Select(halves => ((long)halves.Item1 << 32) | (uint)halves.Item2)));

    /// <summary>A string, integer, boolean, or an array of those nested up to <paramref name="depth"/> deep.</summary>
    private static Gen<object> AnyValue(int depth)
    {
        var scalar = Gen.Frequency(
            (3, AnyText.Select(text => (object)text)),
            (2, AnyLong.Select(number => (object)number)),
            (1, Gen.Elements(true, false).Select(flag => (object)flag)));
        return depth == 0
            ? scalar
            : Gen.Frequency((4, scalar), (1, Gen.ListOf(AnyValue(depth - 1)).Resize(4).Select(items => (object)items.ToList())));
    }

    private static Gen<TomlTable> AnyTable(int depth) =>
        from entries in Gen.ListOf(Gen.Zip(AnyKey, depth > 0 ? Gen.Frequency((4, AnyValue(2)), (1, AnyTable(depth - 1).Select(t => (object)t))) : AnyValue(2))).Resize(10)
        select Table(entries);

    private static TomlTable Table(IEnumerable<(string Key, object Value)> entries)
    {
        var table = new TomlTable();
        foreach (var (key, value) in entries)
        {
            table.Set(key, value);
        }

        return table;
    }

    [Fact]
    public void Any_string_written_as_a_value_reads_back_the_same()
    {
        Prop.ForAll(Arb.From(AnyText), text =>
        {
            var read = TomlReader.Parse(new TomlWriter().Key("s", text).ToString());
            return read.TryGetValue("s", out var value) && (string)value.Value == text;
        }).Check(Runs);
    }

    [Fact]
    public void Any_key_written_reads_back_the_same()
    {
        Prop.ForAll(Arb.From(AnyKey), key =>
        {
            var text = new TomlWriter().Table([key, key]).Key(key, 1).ToString();
            var read = TomlReader.Parse(text);
            return read.Table(key)?.Table(key)?.TryGetValue(key, out var value) == true && (long)value.Value == 1;
        }).Check(Runs);
    }

    [Fact]
    public void Any_integer_boolean_and_array_reads_back_the_same()
    {
        Prop.ForAll(Arb.From(AnyValue(4)), value =>
        {
            var written = new TomlTable();
            written.Set("v", value);
            var read = TomlReader.Parse(new TomlWriter().Key("v", value).ToString());
            return TomlDump.Of(read) == TomlDump.Of(written);
        }).Check(Runs);
    }

    [Fact]
    public void Any_table_tree_written_reads_back_the_same()
    {
        Prop.ForAll(Arb.From(AnyTable(3)), table =>
        {
            var text = TomlWriter.Write(table);
            return (TomlDump.Of(TomlReader.Parse(text), sortKeys: true) == TomlDump.Of(table, sortKeys: true)).Label(text);
        }).Check(Runs);
    }

    /// <summary>Fragments that steer random text into every corner of the grammar.</summary>
    private static readonly Gen<string> Fragments = Gen.ListOf(Gen.Frequency(
        (6, Gen.Elements(
            "[", "]", "[[", "]]", "=", " = ", "\"", "'", "\"\"\"", "'''", "#", "\n", "\r\n", "\r", " ", "\t", ".", ",", "{", "}",
            "\\", "\\u", "\\U", "\\n", "a", "key", "1", "0", "-", "+", "_", "0x", "0o", "0b", "ff", "e", ":", "true", "false",
            "inf", "nan", "1979-05-27", "07:32", "\uFEFF", "\U0001F600", "\u00E9")),
        (1, AnyCharacter),
        (1, Gen.Elements("\uD800", "\uDC00", "\0", "\u007F")))).Resize(12).Select(string.Concat);

    private static readonly Gen<string> KeyLike = Gen.Frequency(
        (4, BareKey),
        (1, AnyText.Select(text => "\"" + text + "\"")),
        (1, Gen.Elements("a.b", "a . b", "\"x\".'y'", "a", "b", "a.b.c", "'lit'", "\"\"")),
        (1, Fragments));

    private static readonly Gen<string> ValueLike = Gen.Frequency(
        (2, AnyLong.Select(number => number.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Elements("0x1F", "0o17", "0b101", "-0", "+7", "1_000", "true", "false", "[]", "[1, [2, 'x'],]", "[\n1, # c\n2\n]", "\"\"", "''")),
        (2, AnyText.Select(text => "\"" + text + "\"")),
        (1, AnyText.Select(text => "'" + text + "'")),
        (1, Fragments));

    private static readonly Gen<string> LineLike = Gen.Frequency(
        (6, from key in KeyLike from value in ValueLike from comment in Gen.Elements("", " # note", "\t#") select $"{key} = {value}{comment}"),
        (2, KeyLike.Select(key => $"[{key}]")),
        (1, AnyText.Select(text => "# " + text)),
        (1, Gen.Constant("")),
        (2, Fragments));

    /// <summary>Lines that look like TOML (keys, values, headers, comments) mixed with noise; often valid, often not.</summary>
    private static readonly Gen<string> TomlishText =
        from lines in Gen.ListOf(LineLike).Resize(12)
        from newline in Gen.Elements("\n", "\r\n")
        select string.Join(newline, lines);

    [Fact]
    public void Random_text_is_read_or_refused_with_a_TomlException_and_what_is_read_writes_back_the_same()
    {
        Prop.ForAll(Arb.From(TomlishText), CheckParseAndRewrite).Check(Runs.WithMaxTest(3000));
    }

    [Fact]
    public void Random_edits_of_a_config_toml_are_read_or_refused_with_a_TomlException()
    {
        var original = ProvisionedConfig.Text;
        var edit = from at in Gen.Choose(0, original.Length)
                   from delete in Gen.Choose(0, 3)
                   from insert in Fragments
                   select (at, delete, insert);
        var edits = Gen.ListOf(edit).Resize(6);
        var edited = edits.Select(list =>
        {
            var text = original;
            foreach (var (at, delete, insert) in list)
            {
                var start = Math.Min(at, text.Length);
                text = text.Remove(start, Math.Min(delete, text.Length - start)).Insert(start, insert);
            }

            return text;
        });

        Prop.ForAll(Arb.From(edited), CheckParseAndRewrite).Check(Runs.WithMaxTest(3000));
    }

    private static bool CheckParseAndRewrite(string text)
    {
        TomlTable table;
        try
        {
            table = TomlReader.Parse(text);
        }
        catch (TomlException error)
        {
            var lines = text.Split('\n').Length;
            return error.Line >= 1 && error.Line <= lines && error.Column >= 1
                && error.Message == $"line {error.Line}, column {error.Column}: {error.Reason}";
        }

        return TomlDump.Of(TomlReader.Parse(TomlWriter.Write(table)), sortKeys: true) == TomlDump.Of(table, sortKeys: true);
    }
}
