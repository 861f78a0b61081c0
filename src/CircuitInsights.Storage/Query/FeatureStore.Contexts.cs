using System.Text.Json;
using CircuitInsights.Storage.Import;

namespace CircuitInsights.Storage.Query;

public sealed partial class FeatureStore
{
    public const double SourceShare = 0.1;
    public const int MaxSources = 8;

    static List<ContextSource> Significant(IEnumerable<ContextSource> sources, float target) =>
        sources.Where(s => Math.Abs(s.Contribution) >= SourceShare * Math.Abs(target)).Take(MaxSources).ToList();

    /// <summary>
    /// Contexts of a feature with token texts, per-token activations (when stored; otherwise only the target position
    /// carries its activation) and the attributed source positions (upstream features and head source positions) whose
    /// |contribution| is at least <see cref="SourceShare"/> of the target activation, at most <see cref="MaxSources"/>.
    /// </summary>
    public IReadOnlyList<ContextRecord> Contexts(int layer, int index, string? source = null, int? cluster = null, int limit = 20)
    {
        limit = Math.Clamp(limit, 1, 200);
        var rows = Rows("""
            SELECT c.id, c.source, c.rank, c.cluster, c.window, c.target_position, c.target_activation, c.activations_f32, w.tokens_json
            FROM contexts c JOIN windows w ON w.id = c.window
            WHERE c.layer = $1 AND c.idx = $2 AND ($3 IS NULL OR c.source = $3) AND ($4 IS NULL OR c.cluster = $4)
            ORDER BY c.source, c.cluster, c.rank LIMIT $5
            """, r => new
        {
            Id = r.GetInt64(0), Source = r.GetString(1), Rank = r.GetInt32(2), Cluster = I(r, 3), Window = r.GetInt64(4), Target = r.GetInt32(5),
            Activation = r.GetFloat(6), Acts = r.IsDBNull(7) ? null : Float32Blob.Decode((byte[])r.GetValue(7)),
            Tokens = JsonSerializer.Deserialize<int[]>(r.GetString(8)) ?? [],
        }, layer, index, source, cluster, limit);
        if (rows.Count == 0) return [];
        var texts = TokenTexts(rows.SelectMany(r => r.Tokens));
        var ids = JsonSerializer.Serialize(rows.Select(r => r.Id));
        var sources = Rows("""
            SELECT context_id, kind, layer, unit, position, delta, contribution FROM attributions INDEXED BY attributions_context
            WHERE context_id IN (SELECT value FROM json_each($1)) AND kind IN ('feature', 'head') ORDER BY context_id, abs(contribution) DESC
            """, r => (Context: r.GetInt64(0), Source: new ContextSource(r.GetInt32(4), r.GetString(1),
            r.GetString(1) == "feature" ? $"L{r.GetInt32(2)}:F{r.GetInt32(3)}" : $"L{r.GetInt32(2)}.H{r.GetInt32(3)} (Δ{r.GetInt32(5)})", r.GetDouble(6))), ids)
            .ToLookup(x => x.Context, x => x.Source);
        return rows.Select(r => new ContextRecord(r.Id, r.Source, r.Rank, r.Cluster, r.Window, r.Target, r.Activation,
            r.Tokens.Select((t, i) => new ContextToken(t, texts.TryGetValue(t, out var s) ? s : $"⟨{t}⟩",
                r.Acts is { } a && i < a.Length ? a[i] : i == r.Target ? r.Activation : null)).ToList(),
            r.Acts is not null, Significant(sources[r.Id], r.Activation))).ToList();
    }
}
