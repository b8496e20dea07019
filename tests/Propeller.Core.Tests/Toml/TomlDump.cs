using System.Globalization;
using System.Text;
using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

/// <summary>
/// A table as one line of text, with every value's kind visible (strings quoted, escapes spelled out), so that
/// tests compare whole documents and a failure shows where they differ.
/// </summary>
internal static class TomlDump
{
    /// <param name="sortKeys">Sort keys, for comparing documents whose key order may legitimately differ.</param>
    public static string Of(TomlTable table, bool sortKeys = false)
    {
        var text = new StringBuilder();
        AppendTable(text, table, sortKeys);
        return text.ToString();
    }

    private static void AppendTable(StringBuilder text, TomlTable table, bool sortKeys)
    {
        var keys = sortKeys ? table.Keys.Order(StringComparer.Ordinal) : table.Keys;
        text.Append('{');
        var first = true;
        foreach (var key in keys)
        {
            text.Append(first ? "" : ", ");
            first = false;
            AppendString(text, key);
            text.Append(": ");
            Assert.True(table.TryGetValue(key, out var value));
            AppendValue(text, value.Value, sortKeys);
        }

        text.Append('}');
    }

    private static void AppendValue(StringBuilder text, object value, bool sortKeys)
    {
        switch (value)
        {
            case string s:
                AppendString(text, s);
                break;
            case long number:
                text.Append(number.ToString(CultureInfo.InvariantCulture));
                break;
            case bool flag:
                text.Append(flag ? "true" : "false");
                break;
            case IReadOnlyList<TomlValue> items:
                text.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    AppendValue(text, items[i].Value, sortKeys);
                }

                text.Append(']');
                break;
            case TomlTable table:
                AppendTable(text, table, sortKeys);
                break;
            default:
                Assert.Fail($"a TOML value of type {value.GetType()}");
                break;
        }
    }

    private static void AppendString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            if (c is >= ' ' and <= '~' and not '"' and not '\\')
            {
                text.Append(c);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        text.Append('"');
    }
}
