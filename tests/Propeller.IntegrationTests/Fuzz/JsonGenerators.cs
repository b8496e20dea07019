using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>
/// JSON text, valid and not: values of every kind with the edge cases parsers trip on (lone surrogates, huge and
/// negative numbers, NUL, 1e400), task bodies whose fields have right and wrong types, documents nested thousands
/// of levels deep, huge strings, and bytes that are not UTF-8.
/// </summary>
internal static class JsonGenerators
{
    /// <summary>The task fields of docs/api.md, the read-only ones a client may still send, and unknown ones.</summary>
    public static readonly string[] TaskFields =
    [
        "name", "image_url", "file", "cli_args", "inputs", "env", "daemon", "timeout", "encrypted", "proplet_id", "max_retries",
        "id", "state", "results", "error", "attempt", "retries", "transitions", "created_at", "unknown_field", "",
    ];

    /// <summary>Scalars and small values that are edge cases for one type or another.</summary>
    public static readonly string[] EdgeValues =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "0.5", "1e400", "-1e400", "1e-400", "2147483648", "-2147483649",
        "99999999999999999999999999", "10", "11", "168", "604801", "\"\"", "\"   \"", "\"x\"", "\"\\u0000\"", "\"a\\u0000b\"",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\u202e\"", "\"\\n\\t\\r\"", "\"30s\"", "\"1m30s\"", "\"500ms\"",
        "\"0s\"", "\"-5s\"", "\"169h\"", "\"1e308\"", "\"NaN\"", "\"soon\"", "\"not base64!\"", "\"aGVsbG8=\"", "\"AGFzbQEAAAA=\"",
        "\"AGFzbQ0AAQA=\"", "\"AGFzbQ==\"", "\"A=B\"", "\"../../etc/passwd\"", "\"http://127.0.0.1:9/none.wasm\"", "\"file:///etc/passwd\"",
        "\"docker.io/x/y:latest\"", "[]", "{}", "[null]", "[1,\"two\"]", "[[]]", "[{}]", "{\"A\":\"1\"}", "{\"A\":1}", "{\"A=B\":\"1\"}",
        "{\"\":\"x\"}", "{\"A\":null}", "[\"-S\",\"nn\"]", "[\"\\u0000\"]", "{\"a\":{\"b\":{\"c\":[]}}}",
    ];

    /// <summary>Byte sequences that are not UTF-8: a stray continuation, a cut sequence, an overlong form, a surrogate, beyond U+10FFFF.</summary>
    public static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0x80], [0xC3], [0xC3, 0x28], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    /// <summary>Stands for bytes that are not UTF-8 in generated text; <see cref="ToBytes"/> puts them in.</summary>
    public const char NotUtf8 = '\uE000';

    public static Gen<string> Text =>
        Gen.OneOf(
            Gen.Elements("hello", "task", "a b", "ünïcödé", "名前", "😀😀", "\u202egnp.exe", "x\u0301\u0301\u0301", "\t", "../..", "%00", "'; DROP TABLE tasks; --"),
            Gen.Elements("\ud800", "a\udc00b", "\udbff", "\ud83d", "x\0y", $"{NotUtf8}", $"ok{NotUtf8}", $"{NotUtf8}{NotUtf8}30s"),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            ArbMap.Default.GeneratorFor<UnicodeString>().Select(s => s.Item ?? ""));

    /// <summary>A JSON string literal holding <paramref name="text"/>, escaped as a serializer would (lone surrogates as \u escapes).</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or (>= '\ud800' and <= '\udfff') => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Any JSON value up to <paramref name="depth"/> levels.</summary>
    public static Gen<string> Value(int depth)
    {
        var scalar = Gen.OneOf(Gen.Elements(EdgeValues), Text.Select(Quote), Gen.Choose(int.MinValue, int.MaxValue).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (depth <= 0)
        {
            return scalar;
        }

        var array = Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Value(depth - 1), n)).Select(items => "[" + string.Join(",", items) + "]");
        var obj = Gen.Choose(0, 4)
            .SelectMany(n => Gen.ListOf(Gen.Zip(Gen.OneOf(Gen.Elements(TaskFields), Text), Value(depth - 1)), n))
            .Select(members => "{" + string.Join(",", members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}");
        return Gen.Frequency((3, scalar), (1, array), (1, obj));
    }

    /// <summary>A value meant for <paramref name="field"/>: often of the right type, often not.</summary>
    public static Gen<string> FieldValue(string field)
    {
        var right = field switch
        {
            "name" or "proplet_id" => Text.Select(Quote),
            "image_url" => Gen.Elements("\"http://127.0.0.1:9/none.wasm\"", "\"oci://x\"", "\"\""),
            "file" => Gen.Elements("\"AGFzbQEAAAA=\"", "\"aGVsbG8=\"", "\"AGFzbQ==\""),
            "cli_args" => Gen.ListOf(Text.Select(Quote)).Select(items => "[" + string.Join(",", items) + "]"),
            "inputs" => Gen.ListOf(Gen.OneOf(Text.Select(Quote), Gen.Elements("1", "-0", "1e400", "2.5"))).Select(items => "[" + string.Join(",", items) + "]"),
            "env" => Gen.ListOf(Gen.Zip(Text, Text)).Select(pairs => "{" + string.Join(",", pairs.Select(p => Quote(p.Item1) + ":" + Quote(p.Item2))) + "}"),
            "daemon" or "encrypted" => Gen.Elements("true", "false"),
            "timeout" => Gen.Elements("\"30s\"", "90", "0.5", "\"1h\"", "\"168h\""),
            "max_retries" => Gen.Choose(-2, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => Value(2),
        };
        return Gen.Frequency((2, right), (2, Gen.Elements(EdgeValues)), (1, Value(3)));
    }

    /// <summary>A JSON object with some task fields (sometimes twice), each with a right or wrong value.</summary>
    public static Gen<string> TaskBody =>
        from fields in Gen.Choose(0, 6).SelectMany(n => Gen.ListOf(Gen.Elements(TaskFields), n))
        from values in Gen.CollectToList(fields.Select(FieldValue))
        from withName in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        let members = fields.Zip(values, (f, v) => Quote(f) + ":" + v)
        select "{" + string.Join(",", (withName ? new[] { "\"name\":\"fuzz\"" } : []).Concat(members)) + "}";

    /// <summary>Arrays or objects nested <c>levels</c> deep, closed or not, at the root or in a field.</summary>
    public static Gen<string> Deep =>
        from levels in Gen.Choose(65, 10_000)
        from opener in Gen.Elements("[", "{\"a\":", "[{\"b\":")
        from closed in ArbMap.Default.GeneratorFor<bool>()
        from member in Gen.Elements("", "name", "inputs", "timeout", "env", "results", "unknown")
        let closer = opener switch { "[" => "]", "{\"a\":" => "}", _ => "}]" }
        let nested = string.Concat(Enumerable.Repeat(opener, levels)) + "1" + (closed ? string.Concat(Enumerable.Repeat(closer, levels)) : "")
        select member.Length == 0 ? nested : "{\"name\":\"deep\"," + Quote(member) + ":" + nested + "}";

    /// <summary>A body with one huge string: in a field the validator limits, in one it ignores, or as the whole body.</summary>
    public static Gen<string> Huge =>
        from length in Gen.OneOf(Gen.Choose(257, 10_000), Gen.Choose(10_000, 300_000), Gen.Choose(1_000_000, 2_500_000))
        from member in Gen.Elements("name", "image_url", "proplet_id", "unknown", "cli_args", "inputs", "env", "file")
        from unit in Gen.Elements("a", "é", "😀", "\\\\", "\\u0041")
        let text = string.Concat(Enumerable.Repeat(unit, length / unit.Length))
        let literal = "\"" + text + "\""
        select member switch
        {
            "cli_args" or "inputs" => "{\"name\":\"huge\",\"" + member + "\":[" + literal + "]}",
            "env" => "{\"name\":\"huge\",\"env\":{\"A\":" + literal + "}}",
            _ => "{\"name\":\"huge\",\"" + member + "\":" + literal + "}",
        };

    /// <summary>Bytes of a (mostly) valid body, mutated: cut, bytes flipped, not-UTF-8 sequences spliced in, or random bytes.</summary>
    public static Gen<byte[]> Mutated(Gen<string> json) =>
        from text in json
        from mutations in Gen.Choose(1, 4)
        from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), mutations * 3)
        select Mutate(ToBytes(text), seeds);

    /// <summary>UTF-8 of <paramref name="json"/>, each <see cref="NotUtf8"/> replaced by one of the <see cref="InvalidUtf8"/> sequences in turn.</summary>
    public static byte[] ToBytes(string json)
    {
        var marker = Encoding.UTF8.GetBytes(NotUtf8.ToString());
        var bytes = Encoding.UTF8.GetBytes(json);
        var result = new List<byte>(bytes.Length);
        var next = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes.AsSpan(i).StartsWith(marker))
            {
                result.AddRange(InvalidUtf8[next++ % InvalidUtf8.Length]);
                i += marker.Length - 1;
            }
            else
            {
                result.Add(bytes[i]);
            }
        }

        return [.. result];
    }

    public static Gen<byte[]> RandomBytes =>
        Gen.Choose(0, 2048).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));

    /// <summary>Every kind of body above, as bytes.</summary>
    public static Gen<byte[]> AnyBody =>
        Gen.Frequency(
            (5, TaskBody.Select(ToBytes)),
            (2, Value(4).Select(ToBytes)),
            (4, Mutated(TaskBody)),
            (1, Deep.Select(ToBytes)),
            (1, Huge.Select(ToBytes)),
            (1, RandomBytes));

    private static byte[] Mutate(byte[] bytes, int[] seeds)
    {
        var list = new List<byte>(bytes);
        for (var i = 0; i + 2 < seeds.Length; i += 3)
        {
            var position = list.Count == 0 ? 0 : seeds[i + 1] % (list.Count + 1);
            switch (seeds[i] % 5)
            {
                case 0:
                    list.InsertRange(position, InvalidUtf8[seeds[i + 2] % InvalidUtf8.Length]);
                    break;
                case 1 when position < list.Count:
                    list[position] ^= (byte)(1 << (seeds[i + 2] % 8));
                    break;
                case 2 when position < list.Count:
                    list.RemoveRange(position, list.Count - position);
                    break;
                case 3:
                    list.Insert(position, (byte)"{}[]\",:\\"[seeds[i + 2] % 8]);
                    break;
                default:
                    if (position < list.Count)
                    {
                        list[position] = (byte)seeds[i + 2];
                    }

                    break;
            }
        }

        return [.. list];
    }
}
