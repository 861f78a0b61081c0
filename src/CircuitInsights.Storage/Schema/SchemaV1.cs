namespace CircuitInsights.Storage.Schema;

/// <summary>Version 1 of the feature-store schema (documented column by column in docs/store.md).</summary>
static class SchemaV1
{
    public const string Sql = """
        CREATE TABLE schema_version (
          version     INTEGER PRIMARY KEY,
          applied_at  TEXT NOT NULL,
          description TEXT NOT NULL);

        CREATE TABLE run (
          id                INTEGER PRIMARY KEY CHECK (id = 1),
          model             TEXT,
          transcoder_format TEXT,
          transcoder_source TEXT,
          transcoder_model  TEXT,
          input_hook        TEXT,
          output_hook       TEXT,
          activation        TEXT,
          input_centering   INTEGER,
          output_bias       INTEGER,
          skip              INTEGER,
          cross_layer       INTEGER,
          width             INTEGER,
          layers_json       TEXT,
          transcoders_json  TEXT,
          tool_version      TEXT NOT NULL,
          created_at        TEXT NOT NULL,
          updated_at        TEXT NOT NULL);

        CREATE TABLE imports (
          id           INTEGER PRIMARY KEY,
          kind         TEXT NOT NULL,
          source       TEXT NOT NULL,
          options_json TEXT,
          counts_json  TEXT,
          tool_version TEXT NOT NULL,
          imported_at  TEXT NOT NULL);

        CREATE TABLE features (
          layer           INTEGER NOT NULL,
          idx             INTEGER NOT NULL,
          position_count  INTEGER,
          positions_total INTEGER,
          window_count    INTEGER,
          windows_total   INTEGER,
          mean            REAL,
          mean_active     REAL,
          std_active      REAL,
          max_activation  REAL,
          min_window_max  REAL,
          PRIMARY KEY (layer, idx)) WITHOUT ROWID;

        CREATE TABLE histograms (
          layer       INTEGER NOT NULL,
          idx         INTEGER NOT NULL,
          lo          REAL NOT NULL,
          hi          REAL NOT NULL,
          counts_json TEXT NOT NULL,
          total       INTEGER NOT NULL,
          exact       INTEGER NOT NULL,
          PRIMARY KEY (layer, idx)) WITHOUT ROWID;

        CREATE TABLE vocab (
          id   INTEGER PRIMARY KEY,
          text TEXT NOT NULL);

        CREATE TABLE windows (
          id          INTEGER PRIMARY KEY,
          tokens_json TEXT NOT NULL);

        CREATE TABLE contexts (
          id                INTEGER PRIMARY KEY,
          layer             INTEGER NOT NULL,
          idx               INTEGER NOT NULL,
          source            TEXT NOT NULL,
          rank              INTEGER NOT NULL,
          window            INTEGER NOT NULL REFERENCES windows (id),
          target_position   INTEGER NOT NULL,
          target_activation REAL NOT NULL,
          cluster           INTEGER,
          activations_f32   BLOB,
          analysis_json     TEXT);
        CREATE INDEX contexts_feature ON contexts (layer, idx, source, cluster, rank);
        CREATE INDEX contexts_window ON contexts (window);

        CREATE TABLE attributions (
          context_id   INTEGER NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
          kind         TEXT NOT NULL,
          layer        INTEGER,
          unit         INTEGER,
          position     INTEGER,
          delta        INTEGER,
          contribution REAL NOT NULL);
        CREATE INDEX attributions_context ON attributions (context_id);
        CREATE INDEX attributions_unit ON attributions (kind, layer, unit);

        CREATE TABLE clusters (
          layer           INTEGER NOT NULL,
          idx             INTEGER NOT NULL,
          label           INTEGER NOT NULL,
          size            INTEGER NOT NULL,
          mean_activation REAL,
          max_activation  REAL,
          description     TEXT,
          summary_json    TEXT NOT NULL,
          PRIMARY KEY (layer, idx, label)) WITHOUT ROWID;

        CREATE TABLE weightlens (
          layer                 INTEGER NOT NULL,
          idx                   INTEGER NOT NULL,
          description           TEXT,
          description_soft      TEXT,
          validation            INTEGER,
          validation_soft       REAL,
          total_contribution    REAL,
          detected_contribution REAL,
          input_tokens          TEXT,
          promoted_tokens       TEXT,
          suppressed_tokens     TEXT,
          record_json           TEXT NOT NULL,
          PRIMARY KEY (layer, idx)) WITHOUT ROWID;

        CREATE TABLE weightlens_links (
          layer                 INTEGER NOT NULL,
          idx                   INTEGER NOT NULL,
          from_layer            INTEGER NOT NULL,
          from_idx              INTEGER NOT NULL,
          contribution          REAL,
          relative_contribution REAL,
          PRIMARY KEY (layer, idx, from_layer, from_idx)) WITHOUT ROWID;
        CREATE INDEX weightlens_links_from ON weightlens_links (from_layer, from_idx);

        CREATE TABLE feature_tokens (
          token  TEXT NOT NULL,
          text   TEXT NOT NULL,
          layer  INTEGER NOT NULL,
          idx    INTEGER NOT NULL,
          role   TEXT NOT NULL,
          source TEXT NOT NULL,
          weight REAL);
        CREATE INDEX feature_tokens_token ON feature_tokens (token, weight DESC);
        CREATE INDEX feature_tokens_feature ON feature_tokens (layer, idx);

        CREATE TABLE descriptions (
          id     INTEGER PRIMARY KEY,
          layer  INTEGER NOT NULL,
          idx    INTEGER NOT NULL,
          method TEXT NOT NULL,
          text   TEXT NOT NULL,
          source TEXT NOT NULL DEFAULT '',
          UNIQUE (layer, idx, method, source));
        CREATE INDEX descriptions_feature ON descriptions (layer, idx);
        CREATE VIRTUAL TABLE descriptions_fts USING fts5 (text, content = 'descriptions', content_rowid = 'id', tokenize = 'trigram');
        CREATE TRIGGER descriptions_ai AFTER INSERT ON descriptions BEGIN
          INSERT INTO descriptions_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER descriptions_ad AFTER DELETE ON descriptions BEGIN
          INSERT INTO descriptions_fts (descriptions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER descriptions_au AFTER UPDATE ON descriptions BEGIN
          INSERT INTO descriptions_fts (descriptions_fts, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO descriptions_fts (rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE scores (
          layer        INTEGER NOT NULL,
          idx          INTEGER NOT NULL,
          method       TEXT NOT NULL,
          metric       TEXT NOT NULL,
          value        REAL NOT NULL,
          details_json TEXT,
          PRIMARY KEY (layer, idx, method, metric)) WITHOUT ROWID;

        CREATE TABLE graphs (
          id            INTEGER PRIMARY KEY,
          slug          TEXT NOT NULL UNIQUE,
          prompt        TEXT,
          node_count    INTEGER NOT NULL,
          link_count    INTEGER NOT NULL,
          feature_count INTEGER NOT NULL,
          summary_json  TEXT NOT NULL,
          graph_json    TEXT NOT NULL,
          source        TEXT);

        CREATE TABLE layer_summary (
          layer       INTEGER PRIMARY KEY,
          features    INTEGER NOT NULL,
          active      INTEGER NOT NULL,
          weightlens  INTEGER NOT NULL,
          circuitlens INTEGER NOT NULL);

        CREATE TABLE table_counts (
          name TEXT PRIMARY KEY,
          rows INTEGER NOT NULL);

        CREATE TABLE graph_features (
          graph_id   INTEGER NOT NULL REFERENCES graphs (id) ON DELETE CASCADE,
          layer      INTEGER NOT NULL,
          idx        INTEGER NOT NULL,
          position   INTEGER,
          influence  REAL,
          activation REAL);
        CREATE INDEX graph_features_feature ON graph_features (layer, idx);
        CREATE INDEX graph_features_graph ON graph_features (graph_id);
        """;
}
