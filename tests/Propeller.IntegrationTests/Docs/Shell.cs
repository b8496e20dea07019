using System.Text;
using System.Text.RegularExpressions;

namespace Propeller.IntegrationTests.Docs;

/// <summary>
/// Just enough of the shell's grammar to take a documented command line apart: quotes, comments,
/// <c>;</c> <c>&amp;&amp;</c> <c>|</c>, and leading <c>NAME=value</c> assignments. Running a command is left to bash.
/// </summary>
public static partial class Shell
{
    /// <summary>The line without its comment (an unquoted <c>#</c> at a word's start); the comment's text, or null.</summary>
    public static (string Code, string? Comment) StripComment(string line)
    {
        foreach (var i in UnquotedPositions(line))
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return (line[..i].TrimEnd(), line[(i + 1)..].Trim());
            }
        }

        return (line.TrimEnd(), null);
    }

    /// <summary>Splits on unquoted <paramref name="separators"/> (give longer ones first: "&amp;&amp;" before "&amp;"), trimming each part.</summary>
    public static IReadOnlyList<string> Split(string line, params string[] separators)
    {
        var parts = new List<string>();
        var start = 0;
        foreach (var i in UnquotedPositions(line))
        {
            if (i < start)
            {
                continue; // inside the separator just taken
            }

            var separator = separators.FirstOrDefault(s => line.AsSpan(i).StartsWith(s, StringComparison.Ordinal));
            if (separator is not null)
            {
                parts.Add(line[start..i].Trim());
                start = i + separator.Length;
            }
        }

        parts.Add(line[start..].Trim());
        return parts.Where(p => p.Length > 0).ToList();
    }

    /// <summary>The words of a simple command, quotes removed (no expansion).</summary>
    public static IReadOnlyList<string> Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (quote is null && c is '\'' or '"')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (c == '\\' && quote != '\'' && i + 1 < command.Length)
            {
                word.Append(command[++i]);
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>The <c>NAME=value</c> words before the program: the environment the line gives it.</summary>
    public static IReadOnlyList<string> LeadingAssignments(IReadOnlyList<string> words) =>
        words.TakeWhile(w => Assignment().IsMatch(w)).Select(w => w[..w.IndexOf('=', StringComparison.Ordinal)]).ToList();

    /// <summary>The words from the program on: leading assignments dropped, and a <c>timeout [options] DURATION</c> wrapper looked through.</summary>
    public static IReadOnlyList<string> Program(IReadOnlyList<string> words)
    {
        var rest = words.SkipWhile(w => Assignment().IsMatch(w)).ToList();
        if (rest.Count > 0 && rest[0] == "timeout")
        {
            // timeout [--preserve-status] [-s SIGNAL] [-k DURATION] DURATION COMMAND…: the command is what the line runs.
            var i = 1;
            while (i < rest.Count && rest[i].StartsWith('-'))
            {
                i += rest[i] is "-s" or "--signal" or "-k" or "--kill-after" ? 2 : 1;
            }

            return rest.Skip(i + 1).ToList();
        }

        return rest;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    /// <summary>The positions of <paramref name="text"/> outside quotes and not escaped by a backslash.</summary>
    private static IEnumerable<int> UnquotedPositions(string text)
    {
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else
                {
                    yield return i;
                }
            }
            else if (c == quote)
            {
                quote = null;
            }
            else if (c == '\\' && quote == '"')
            {
                i++;
            }
        }
    }
}
