using System.Globalization;
using System.Text;

namespace CircuitInsights.Formats;

/// <summary>Decoding of the text arguments of protocol-0 opcodes (STRING, UNICODE).</summary>
public sealed partial class PickleReader
{
    string DecodeQuotedString(string line)
    {
        string t = line.TrimEnd();
        if (t.Length < 2 || t[0] != t[^1] || t[0] is not ('\'' or '"')) throw Error("STRING argument is not a quoted string");
        return Unescape(t.AsSpan(1, t.Length - 2));
    }

    string DecodeRawUnicodeEscape(string line)
    {
        // raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes; other bytes are latin-1 code points.
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is 'u' or 'U')
            {
                int digits = line[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits > line.Length || !int.TryParse(line.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp) || cp < 0 || cp > 0x10FFFF)
                    throw Error("bad \\u escape in UNICODE argument");
                if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp);
                else sb.Append(char.ConvertFromUtf32(cp));
                i += 1 + digits;
            }
            else sb.Append(line[i]);
        }
        return sb.ToString();
    }

    string Unescape(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            char e = s[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case 'x':
                    if (i + 2 >= s.Length || !int.TryParse(s.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int x))
                        throw Error("bad \\x escape in STRING argument");
                    sb.Append((char)x);
                    i += 2;
                    break;
                default:
                    if (e is >= '0' and <= '7')
                    {
                        int v = e - '0', k = 1;
                        while (k < 3 && i + 1 < s.Length && s[i + 1] is >= '0' and <= '7') { v = v * 8 + (s[++i] - '0'); k++; }
                        sb.Append((char)(v & 0xFF));
                    }
                    else { sb.Append('\\').Append(e); }
                    break;
            }
        }
        return sb.ToString();
    }
}
