namespace Propeller.Core.Configuration.Toml;

/// <summary>A place in the text, 1-based; the column counts Unicode characters (a surrogate pair counts once).</summary>
internal readonly record struct TomlPosition(int Line, int Column);

/// <summary>Walks the text one character at a time, keeping the line and column for error messages.</summary>
internal sealed class TomlCursor
{
    private const char ByteOrderMark = '\uFEFF';
    private readonly string _text;

    public TomlCursor(string text)
    {
        _text = text;
        if (text.Length > 0 && text[0] == ByteOrderMark)
        {
            Index = 1;
        }
    }

    public int Index { get; private set; }

    public int Line { get; private set; } = 1;

    public int Column { get; private set; } = 1;

    public TomlPosition Position => new(Line, Column);

    public bool AtEnd => Index >= _text.Length;

    /// <summary>At a newline (<c>\n</c> or <c>\r\n</c>) or the end of the text.</summary>
    public bool AtLineEnd => AtEnd || Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n');

    /// <summary>The character <paramref name="offset"/> places ahead, or -1 past the end.</summary>
    public int Peek(int offset = 0) => Index + offset < _text.Length ? _text[Index + offset] : -1;

    public void Advance()
    {
        var c = _text[Index];
        Index++;
        if (c == '\n')
        {
            Line++;
            Column = 1;
        }
        else if (!(char.IsLowSurrogate(c) && Index >= 2 && char.IsHighSurrogate(_text[Index - 2])))
        {
            Column++;
        }
    }

    public string Slice(int start) => _text[start..Index];

    public void SkipSpaces()
    {
        while (Peek() is ' ' or '\t')
        {
            Advance();
        }
    }

    /// <summary>Skips a <c>#</c> comment up to (not including) the end of its line, if there is one here.</summary>
    public void SkipComment()
    {
        if (Peek() != '#')
        {
            return;
        }

        while (!AtLineEnd)
        {
            AdvanceTextCharacter("a comment");
        }
    }

    /// <summary>Skips <c>\n</c> or <c>\r\n</c>; call only when <see cref="AtLineEnd"/> and not <see cref="AtEnd"/>.</summary>
    public void SkipNewline()
    {
        if (Peek() == '\r')
        {
            Advance();
        }

        Advance();
    }

    /// <summary>
    /// Moves past one character of free text (a comment or string), refusing what TOML forbids there:
    /// control characters other than tab, and UTF-16 surrogates that do not form a pair.
    /// </summary>
    /// <returns>The text of the character (two chars for a surrogate pair).</returns>
    public ReadOnlySpan<char> AdvanceTextCharacter(string where)
    {
        var start = Index;
        var c = _text[Index];
        if ((c < 0x20 && c != '\t') || c == 0x7F)
        {
            throw Error($"control character U+{(int)c:X4} is not allowed in {where}" +
                (where == "a comment" ? "" : $": write it as the escape \\u{(int)c:X4}"));
        }

        if (char.IsHighSurrogate(c) && Peek(1) >= 0 && char.IsLowSurrogate((char)Peek(1)))
        {
            Advance();
        }
        else if (char.IsSurrogate(c))
        {
            throw Error($"invalid text in {where}: U+{(int)c:X4} is half of a UTF-16 surrogate pair, not a character");
        }

        Advance();
        return _text.AsSpan(start, Index - start);
    }

    /// <summary>The character here, as an error message names it.</summary>
    public string Describe()
    {
        if (AtEnd)
        {
            return "the end of the input";
        }

        if (AtLineEnd)
        {
            return "the end of the line";
        }

        var c = _text[Index];
        if (char.IsHighSurrogate(c) && Peek(1) >= 0 && char.IsLowSurrogate((char)Peek(1)))
        {
            return $"'{_text.Substring(Index, 2)}'";
        }

        return char.IsControl(c) || char.IsSurrogate(c) || (char.IsWhiteSpace(c) && c != ' ')
            ? $"U+{(int)c:X4}"
            : $"'{c}'";
    }

    public TomlException Error(string reason) => new(Line, Column, reason);

    public static TomlException Error(TomlPosition at, string reason) => new(at.Line, at.Column, reason);
}
