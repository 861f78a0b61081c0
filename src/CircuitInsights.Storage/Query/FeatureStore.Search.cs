using System.Text.RegularExpressions;
using CircuitInsights.Storage.Import;

namespace CircuitInsights.Storage.Query;

public sealed partial class FeatureStore
{
    [GeneratedRegex(@"^\s*L?\s*(\d+)\s*[:/.,]\s*F?\s*(\d+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex FeatureQuery();

    /// <summary>
    /// Searches features: "L:i" (also "L3:F12", "3/12") finds that feature; any other text matches feature tokens
    /// (WeightLens input/output tokens, CircuitLens context/source/effect tokens; exact match first, then prefix) and
    /// descriptions (substring, FTS5 trigram index for ≥ 3 characters). <paramref name="by"/> = auto|feature|token|description.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(string query, int limit = 50, string by = "auto")
    {
        limit = Math.Clamp(limit, 1, 500);
        query = query.Trim();
        if (query.Length == 0) return [];
        if (query.Length > 200) throw new CircuitInsightsException("search text longer than 200 characters");
        var hits = new List<SearchHit>();
        var seen = new HashSet<(int, int, string)>();
        void Add(int layer, int index, string match, string detail)
        {
            if (hits.Count < limit && seen.Add((layer, index, match))) hits.Add(new SearchHit(layer, index, match, detail, null, null));
        }
        if (by is "auto" or "feature" && FeatureQuery().Match(query) is { Success: true } m
            && int.TryParse(m.Groups[1].Value, out int l) && int.TryParse(m.Groups[2].Value, out int i))
        {
            if (HasFeature(l, i)) Add(l, i, "feature", $"L{l}:{i}");
            if (by == "feature" || hits.Count > 0) return Decorate(hits);
        }
        if (by is "auto" or "token")
        {
            string norm = StoreWriter.NormalizeToken(query);
            foreach (var (l2, i2, text, role) in Rows("SELECT layer, idx, text, role FROM feature_tokens WHERE token = $1 ORDER BY weight DESC LIMIT $2",
                         r => (r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetString(3)), norm, limit))
                Add(l2, i2, "token", $"{role}: {text}");
            if (hits.Count < limit && norm.Length > 0)
                foreach (var (l2, i2, text, role) in Rows("SELECT layer, idx, text, role FROM feature_tokens WHERE token > $1 AND token < $2 ORDER BY token LIMIT $3",
                             r => (r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetString(3)), norm, norm + "\uffff", limit))
                    Add(l2, i2, "token", $"{role}: {text}");
        }
        if (by is "auto" or "description" && hits.Count < limit)
        {
            var rows = query.Length >= 3
                ? Rows("SELECT d.layer, d.idx, d.method, d.text FROM descriptions_fts f JOIN descriptions d ON d.id = f.rowid WHERE descriptions_fts MATCH $1 LIMIT $2",
                    r => (r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetString(3)), "\"" + query.Replace("\"", "\"\"") + "\"", limit)
                : Rows("SELECT layer, idx, method, text FROM descriptions WHERE text LIKE $1 ESCAPE '\\' LIMIT $2",
                    r => (r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetString(3)), "%" + EscapeLike(query) + "%", limit);
            foreach (var (l2, i2, method, text) in rows) Add(l2, i2, "description", $"{method}: {text}");
        }
        return Decorate(hits);
    }

    List<SearchHit> Decorate(List<SearchHit> hits) =>
        hits.Select(h => h with
        {
            Description = BestDescription(h.Layer, h.Index),
            MaxActivation = MaxActivation(h.Layer, h.Index),
        }).ToList();

    double? MaxActivation(int layer, int index)
    {
        using var cmd = Command("SELECT max_activation FROM features WHERE layer = $1 AND idx = $2", layer, index);
        return cmd.ExecuteScalar() is double d ? d : null;
    }

    static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
