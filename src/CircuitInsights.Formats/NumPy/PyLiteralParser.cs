using System.Globalization;
using System.Text;

namespace CircuitInsights.Formats;

/// <summary>
/// Parses the small subset of Python literal syntax used by .npy headers: a dict with string keys whose values are
/// strings, True/False/None, integers, or tuples/lists of those. Tuples and lists become <c>List&lt;object?&gt;</c>.
/// Throws <see cref="FormatException"/> on anything else; nesting is limited to keep hostile input cheap.
/// </summary>
internal sealed class PyLiteralParser(string text)
{
    const int MaxDepth = 16;
    int _pos;

    public Dictionary<string, object?> ParseDict()
    {
        SkipSpace();
        var value = ParseValue(0);
        SkipSpace();
        if (_pos != text.Length) throw new FormatException($"unexpected '{text[_pos]}' at position {_pos}");
        return value as Dictionary<string, object?> ?? throw new FormatException("expected a dict");
    }

    object? ParseValue(int depth)
    {
        if (depth > MaxDepth) throw new FormatException("nesting too deep");
        SkipSpace();
        if (_pos >= text.Length) throw new FormatException("unexpected end of header");
        char c = text[_pos];
        switch (c)
        {
            case '{': return ParseDictBody(depth);
            case '(': return ParseSequence(')', depth);
            case '[': return ParseSequence(']', depth);
            case '\'' or '"': return ParseString();
        }
        if (c == '-' || char.IsAsciiDigit(c)) return ParseInt();
        if (TryWord("True")) return true;
        if (TryWord("False")) return false;
        if (TryWord("None")) return null;
        throw new FormatException($"unexpected '{c}' at position {_pos}");
    }

    Dictionary<string, object?> ParseDictBody(int depth)
    {
        _pos++; // {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') { _pos++; return dict; }
            if (Peek() is not ('\'' or '"')) throw new FormatException($"expected a string key at position {_pos}");
            string key = ParseString();
            SkipSpace();
            Expect(':');
            dict[key] = ParseValue(depth + 1);
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == '}') { _pos++; return dict; }
            throw new FormatException($"expected ',' or '}}' at position {_pos}");
        }
    }

    List<object?> ParseSequence(char close, int depth)
    {
        _pos++;
        var items = new List<object?>();
        while (true)
        {
            SkipSpace();
            if (Peek() == close) { _pos++; return items; }
            items.Add(ParseValue(depth + 1));
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == close) { _pos++; return items; }
            throw new FormatException($"expected ',' or '{close}' at position {_pos}");
        }
    }

    string ParseString()
    {
        char quote = text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length) throw new FormatException("unterminated string");
            char c = text[_pos++];
            if (c == quote) return sb.ToString();
            if (c == '\\')
            {
                if (_pos >= text.Length) throw new FormatException("unterminated string");
                char e = text[_pos++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                continue;
            }
            sb.Append(c);
            if (sb.Length > 4096) throw new FormatException("string too long");
        }
    }

    long ParseInt()
    {
        int start = _pos;
        if (text[_pos] == '-') _pos++;
        while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
        var digits = text.AsSpan(start, _pos - start);
        if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++; // Python 2 long suffix
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw new FormatException($"bad integer '{digits}' at position {start}");
        return v;
    }

    bool TryWord(string word)
    {
        if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
        _pos += word.Length;
        return true;
    }

    char Peek() => _pos < text.Length ? text[_pos] : '\0';

    void Expect(char c)
    {
        if (Peek() != c) throw new FormatException($"expected '{c}' at position {_pos}");
        _pos++;
    }

    void SkipSpace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
    }
}
