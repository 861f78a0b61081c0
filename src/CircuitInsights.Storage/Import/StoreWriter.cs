using System.Text.Json;
using CircuitInsights.Transcoders;
using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// One import into a feature store: everything written through it lands in ONE SQLite transaction (BEGIN IMMEDIATE),
/// made visible by <see cref="Commit"/>; disposing without committing (an exception in an importer) rolls everything back,
/// so readers see the store as it was before the import or after it, never half of it (docs/store.md "Transactions").
/// </summary>
public sealed class StoreWriter : IDisposable
{
    readonly Dictionary<string, PreparedInsert> _statements = new(StringComparer.Ordinal);
    readonly HashSet<(int, int)> _features = [];
    readonly Dictionary<long, int> _windows = [];
    readonly HashSet<int> _vocab = [];
    bool _committed;

    public string Path { get; }
    public SqliteConnection Connection { get; }
    public SqliteTransaction Transaction { get; }

    StoreWriter(string path, SqliteConnection connection)
    {
        Path = path;
        Connection = connection;
        Transaction = connection.BeginTransaction(deferred: false);
    }

    /// <summary>Opens (creating and migrating when needed) the store at <paramref name="path"/> and starts the transaction.</summary>
    public static StoreWriter Begin(string path) => new(path, StoreConnection.OpenForWriting(path));

    public static string ToolVersion =>
        typeof(StoreWriter).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    internal PreparedInsert Statement(string sql, int parameters)
    {
        if (!_statements.TryGetValue(sql, out var s)) _statements[sql] = s = new PreparedInsert(Connection, Transaction, sql, parameters);
        return s;
    }

    public void Execute(string sql) => StoreConnection.Execute(Connection, sql, Transaction);

    /// <summary>Runs a statement with named parameters $1..$n once (deletes, updates).</summary>
    public int Run(string sql, params object?[] values) => Statement(sql, values.Length).Run(values);

    // ------------------------------------------------------------------ run

    /// <summary>Creates or updates the single run row. Null arguments keep what the store already holds.</summary>
    public void SetRun(string? model, TranscoderSetInfo? transcoders)
    {
        string now = DateTime.UtcNow.ToString("O");
        Run("INSERT OR IGNORE INTO run (id, tool_version, created_at, updated_at) VALUES (1, $1, $2, $2)", ToolVersion, now);
        Run("UPDATE run SET tool_version = $1, updated_at = $2 WHERE id = 1", ToolVersion, now);
        if (model is not null) Run("UPDATE run SET model = $1 WHERE id = 1", model);
        if (transcoders is { } t)
            Run("""
                UPDATE run SET transcoder_format = $1, transcoder_source = $2, transcoder_model = $3, input_hook = $4, output_hook = $5,
                  activation = $6, input_centering = $7, output_bias = $8, skip = $9, cross_layer = $10, width = $11, layers_json = $12,
                  transcoders_json = $13 WHERE id = 1
                """,
                t.Format, t.Source, t.ModelName, t.InputHook, t.OutputHook, t.Activation, t.InputCentering, t.OutputBias, t.Skip, t.CrossLayer,
                t.Width, JsonSerializer.Serialize(t.Layers), JsonSerializer.Serialize(t));
    }

    public void RecordImport(string kind, string source, object? options, object? counts) =>
        Run("INSERT INTO imports (kind, source, options_json, counts_json, tool_version, imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
            kind, source, options is null ? null : JsonSerializer.Serialize(options), counts is null ? null : JsonSerializer.Serialize(counts),
            ToolVersion, DateTime.UtcNow.ToString("O"));

    // ------------------------------------------------------------------ features

    /// <summary>Makes sure a feature row exists (statistics may come later or never).</summary>
    public void EnsureFeature(int layer, int index)
    {
        if (_features.Add((layer, index))) Run("INSERT OR IGNORE INTO features (layer, idx) VALUES ($1, $2)", layer, index);
    }

    public void SetFeatureStats(int layer, int index, FeatureStats s)
    {
        _features.Add((layer, index));
        Run("""
            INSERT OR REPLACE INTO features (layer, idx, position_count, positions_total, window_count, windows_total, mean, mean_active,
              std_active, max_activation, min_window_max) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """, layer, index, s.PositionCount, s.PositionsTotal, s.WindowCount, s.WindowsTotal, s.Mean, s.MeanActive, s.StdActive,
            s.MaxActivation, s.MinWindowMax);
    }

    public void SetHistogram(int layer, int index, ActivationHistogram h)
    {
        EnsureFeature(layer, index);
        Run("INSERT OR REPLACE INTO histograms (layer, idx, lo, hi, counts_json, total, exact) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            layer, index, h.Lo, h.Hi, JsonSerializer.Serialize(h.Counts), h.Total, h.Exact);
    }

    // ------------------------------------------------------------------ tokens and windows

    public void AddVocab(int id, string text)
    {
        if (_vocab.Add(id)) Run("INSERT OR REPLACE INTO vocab (id, text) VALUES ($1, $2)", id, text);
    }

    /// <summary>Stores a window's tokens. CircuitLens keeps only the prefix up to its targets, the cache the whole window:
    /// the longest token list given for a window wins (the model is causal, so prefixes agree).</summary>
    public void AddWindow(long window, IReadOnlyList<int> tokens)
    {
        if (_windows.TryGetValue(window, out int known) && known >= tokens.Count) return;
        if (!_windows.ContainsKey(window))
            known = Statement("SELECT coalesce(json_array_length(tokens_json), 0) FROM windows WHERE id = $1", 1).Scalar(window) is long n ? (int)n : 0;
        if (known >= tokens.Count) { _windows[window] = known; return; }
        _windows[window] = tokens.Count;
        Run("INSERT OR REPLACE INTO windows (id, tokens_json) VALUES ($1, $2)", window, JsonSerializer.Serialize(tokens));
    }

    /// <summary>Removes a feature's contexts of one source (re-import replaces them; attributions cascade).</summary>
    public void DeleteContexts(int layer, int index, string source) =>
        Run("DELETE FROM contexts WHERE layer = $1 AND idx = $2 AND source = $3", layer, index, source);

    /// <summary>Adds a context (its window must be added first); returns its id.</summary>
    public long AddContext(int layer, int index, string source, int rank, long window, int targetPosition, float targetActivation, int? cluster,
        float[]? activations, string? analysisJson)
    {
        EnsureFeature(layer, index);
        return (long)Statement("""
            INSERT INTO contexts (layer, idx, source, rank, window, target_position, target_activation, cluster, activations_f32, analysis_json)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
            """, 10).Scalar(layer, index, source, rank, window, targetPosition, targetActivation, cluster,
            activations is null ? null : Float32Blob.Encode(activations), analysisJson)!;
    }

    public void SetContextActivations(long contextId, float[] activations) =>
        Run("UPDATE contexts SET activations_f32 = $1 WHERE id = $2", Float32Blob.Encode(activations), contextId);

    public void AddAttribution(long contextId, string kind, int? layer, int? unit, int? position, int? delta, double contribution) =>
        Run("INSERT INTO attributions (context_id, kind, layer, unit, position, delta, contribution) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            contextId, kind, layer, unit, position, delta, contribution);

    // ------------------------------------------------------------------ per-feature results

    public void SetCluster(int layer, int index, int label, int size, double meanActivation, double maxActivation, string? description, string summaryJson)
    {
        EnsureFeature(layer, index);
        Run("""
            INSERT OR REPLACE INTO clusters (layer, idx, label, size, mean_activation, max_activation, description, summary_json)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, layer, index, label, size, meanActivation, maxActivation, description, summaryJson);
    }

    /// <summary>Adds a token a feature is associated with (searchable by its trimmed, lower-cased text).</summary>
    public void AddFeatureToken(int layer, int index, string text, string role, string source, double? weight)
    {
        string norm = NormalizeToken(text);
        if (norm.Length == 0) return;
        EnsureFeature(layer, index);
        Run("INSERT INTO feature_tokens (token, text, layer, idx, role, source, weight) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            norm, text, layer, index, role, source, weight);
    }

    public void DeleteFeatureTokens(int layer, int index, string source) =>
        Run("DELETE FROM feature_tokens WHERE layer = $1 AND idx = $2 AND source = $3", layer, index, source);

    public static string NormalizeToken(string text) => text.Trim().ToLowerInvariant();

    /// <summary>Sets (replaces) the description of a feature by a method (<see cref="DescriptionMethods"/>) and source.</summary>
    public void SetDescription(int layer, int index, string method, string text, string source = "")
    {
        DescriptionMethods.Check(method);
        EnsureFeature(layer, index);
        Run("DELETE FROM descriptions WHERE layer = $1 AND idx = $2 AND method = $3 AND source = $4", layer, index, method, source);
        if (text.Length > 0)
            Run("INSERT INTO descriptions (layer, idx, method, text, source) VALUES ($1, $2, $3, $4, $5)", layer, index, method, text, source);
    }

    /// <summary>Sets an evaluation score (issue 11: method × metric per feature).</summary>
    public void SetScore(int layer, int index, string method, string metric, double value, string? detailsJson = null)
    {
        if (!double.IsFinite(value)) throw new CircuitInsightsException($"score {method}/{metric} of L{layer}:{index} is not a finite number");
        EnsureFeature(layer, index);
        Run("INSERT OR REPLACE INTO scores (layer, idx, method, metric, value, details_json) VALUES ($1, $2, $3, $4, $5, $6)",
            layer, index, method, metric, value, detailsJson);
    }

    /// <summary>Tables whose row counts the run overview shows (kept in table_counts, refreshed at every commit).</summary>
    public static readonly string[] CountedTables = ["features", "contexts", "clusters", "weightlens", "descriptions", "scores", "graphs", "windows"];

    /// <summary>Recomputes the overview summaries (per-layer counts, table sizes) so the overview page never scans big tables.</summary>
    void RefreshSummaries()
    {
        Execute("""
            DELETE FROM layer_summary;
            INSERT INTO layer_summary (layer, features, active, weightlens, circuitlens)
            SELECT f.layer, count(*), coalesce(sum(f.window_count > 0), 0),
              (SELECT count(*) FROM weightlens w WHERE w.layer = f.layer),
              (SELECT count(*) FROM (SELECT DISTINCT idx FROM clusters c WHERE c.layer = f.layer))
            FROM features f GROUP BY f.layer;
            DELETE FROM table_counts;
            """);
        foreach (var t in CountedTables) Execute($"INSERT INTO table_counts (name, rows) SELECT '{t}', count(*) FROM {t}");
    }

    public void Commit()
    {
        RefreshSummaries();
        foreach (var s in _statements.Values) s.Dispose();
        _statements.Clear();
        Transaction.Commit();
        _committed = true;
    }

    public void Dispose()
    {
        foreach (var s in _statements.Values) s.Dispose();
        if (!_committed)
            try { Transaction.Rollback(); } catch (SqliteException) { /* connection already broken: SQLite rolls back on close */ }
        Transaction.Dispose();
        Connection.Dispose();
    }
}
