using System.Text;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>GPT-2's byte ↔ printable-character table (<c>bytes_to_unicode</c> in OpenAI's encoder.py): printable Latin-1 bytes
/// (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>, <c>®</c>..<c>ÿ</c>) stand for themselves, the other 68 bytes map in order to U+0100.. (so the
/// space 0x20 is <c>Ġ</c> U+0120 and the newline 0x0A is <c>Ċ</c> U+010A). Byte-level BPE vocabularies (GPT-2, Llama-3) are written
/// in this alphabet (reference.md §1.1).</summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>Appends the bytes a byte-level piece stands for. As in Hugging Face's ByteLevel decoder, a piece with any character
    /// outside the alphabet (e.g. a special token such as <c>&lt;|endoftext|&gt;</c> is fine, but <c>é</c> is not) contributes its own
    /// UTF-8 bytes unchanged.</summary>
    public static void AppendBytes(string piece, List<byte> destination)
    {
        int start = destination.Count;
        foreach (char c in piece)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                destination.RemoveRange(start, destination.Count - start);
                destination.AddRange(Encoding.UTF8.GetBytes(piece));
                return;
            }
            destination.Add(b);
        }
    }

    /// <summary>Maps UTF-8 bytes of <paramref name="text"/> to alphabet characters (the byte-level "display" form).</summary>
    public static string Encode(string text)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(text)) sb.Append(ByteToChar[b]);
        return sb.ToString();
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++) map[ByteToChar[b]] = (byte)b;
        return map;
    }
}
