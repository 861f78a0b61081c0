using System.Text;

namespace CircuitInsights.Formats;

/// <summary>A checkpoint, tokenizer or config file is missing, truncated, malformed or inconsistent. The message names the file
/// (and tensor/key where relevant) and what was expected versus found. Control characters and line breaks that came from the
/// file (names, strings) are escaped, so the message is always one line.</summary>
public sealed class InvalidModelFileException : CircuitInsightsException
{
    public string? FilePath { get; }

    public InvalidModelFileException(string? filePath, string message) : base(Compose(filePath, message)) => FilePath = filePath;

    public InvalidModelFileException(string? filePath, string message, Exception inner) : base(Compose(filePath, message), inner) => FilePath = filePath;

    static string Compose(string? filePath, string message) => OneLine(filePath is null ? message : $"{filePath}: {message}");

    /// <summary>Escapes control characters and Unicode line separators as <c>\xNN</c> / <c>\uNNNN</c>.</summary>
    public static string OneLine(string text)
    {
        bool clean = true;
        foreach (char c in text) if (IsBreaking(c)) { clean = false; break; }
        if (clean) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (!IsBreaking(c)) sb.Append(c);
            else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("X2"));
            else sb.Append("\\u").Append(((int)c).ToString("X4"));
        }
        return sb.ToString();
    }

    static bool IsBreaking(char c) => c < 0x20 || c == 0x7F || c is '\u0085' or '\u2028' or '\u2029';
}
