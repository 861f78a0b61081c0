using System.Text;
using System.Text.RegularExpressions;

namespace CircuitInsights.Evaluation.Judges;

/// <summary>
/// Lenient parsing of judge answers, which arrive as JSON or Python literals, sometimes inside ``` fences or with prose
/// around them: a list of strings (concept samples) and an id → rating map.
/// </summary>
public static partial class LlmAnswerParser
{
    [GeneratedRegex(@"[""']?(\d+)[""']?\s*:\s*[""']?(-?\d+)[""']?")]
    private static partial Regex RatingPair();

    /// <summary>The quoted strings between the first '[' and the last ']' ("…" or '…', backslash escapes); empty when none.</summary>
    public static List<string> StringList(string answer)
    {
        var result = new List<string>();
        int open = answer.IndexOf('['), close = answer.LastIndexOf(']');
        if (open < 0 || close <= open) return result;
        var body = answer.AsSpan(open + 1, close - open - 1);
        for (int i = 0; i < body.Length; i++)
        {
            char q = body[i];
            if (q != '"' && q != '\'') continue;
            var sb = new StringBuilder();
            int j = i + 1;
            for (; j < body.Length && body[j] != q; j++)
            {
                if (body[j] == '\\' && j + 1 < body.Length)
                {
                    j++;
                    sb.Append(body[j] switch { 'n' => '\n', 't' => '\t', _ => body[j] });
                }
                else sb.Append(body[j]);
            }
            if (j >= body.Length) break; // unterminated
            string s = sb.ToString().Trim();
            if (s.Length > 0) result.Add(s);
            i = j;
        }
        return result;
    }

    /// <summary>id → rating pairs found in the answer (later duplicates win); ratings outside 0–2 are dropped.</summary>
    public static Dictionary<int, int> Ratings(string answer)
    {
        var result = new Dictionary<int, int>();
        int open = answer.IndexOf('{'), close = answer.LastIndexOf('}');
        string body = open >= 0 && close > open ? answer[(open + 1)..close] : answer;
        foreach (Match m in RatingPair().Matches(body))
            if (int.TryParse(m.Groups[1].Value, out int id) && int.TryParse(m.Groups[2].Value, out int rating) && rating is >= 0 and <= 2)
                result[id] = rating;
        return result;
    }
}
