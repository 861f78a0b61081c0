using System.Text;
using System.Text.RegularExpressions;

namespace CircuitInsights.Hub;

/// <summary>
/// huggingface_hub's file filter (utils/_paths.py <c>filter_repo_objects</c>): a path is kept when it matches at least
/// one allow pattern (all are kept without patterns) and no ignore pattern. Patterns are Python <c>fnmatch</c> globs
/// matched against the whole repo path: <c>*</c> matches any characters including '/', <c>?</c> one character,
/// <c>[seq]</c>/<c>[!seq]</c> a character class; a pattern ending in '/' gets a trailing <c>*</c> (a folder).
/// </summary>
public static class RepoFilePatterns
{
    public static IEnumerable<string> Filter(IEnumerable<string> paths, IReadOnlyList<string>? allow, IReadOnlyList<string>? ignore = null)
    {
        var allowRe = allow?.Select(ToRegex).ToArray();
        var ignoreRe = ignore?.Select(ToRegex).ToArray();
        foreach (var p in paths)
        {
            if (allowRe is not null && !allowRe.Any(r => r.IsMatch(p))) continue;
            if (ignoreRe is not null && ignoreRe.Any(r => r.IsMatch(p))) continue;
            yield return p;
        }
    }

    public static bool Matches(string path, string pattern) => ToRegex(pattern).IsMatch(path);

    /// <summary>Translates an fnmatch pattern into an anchored regular expression (Python <c>fnmatch.translate</c>).</summary>
    public static Regex ToRegex(string pattern)
    {
        if (pattern.Length == 0) throw new CircuitInsightsException("empty file pattern");
        if (pattern.EndsWith('/')) pattern += "*";
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*') i++;
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int j = i + 1;
                    if (j < pattern.Length && pattern[j] == '!') j++;
                    if (j < pattern.Length && pattern[j] == ']') j++;
                    while (j < pattern.Length && pattern[j] != ']') j++;
                    if (j >= pattern.Length)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    string body = pattern[(i + 1)..j];
                    bool negate = body.StartsWith('!');
                    if (negate) body = body[1..];
                    body = body.Replace(@"\", @"\\").Replace("[", @"\[");
                    if (!negate && body.StartsWith('^')) body = @"\" + body;
                    sb.Append('[').Append(negate ? "^" : "").Append(body).Append(']');
                    i = j;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
