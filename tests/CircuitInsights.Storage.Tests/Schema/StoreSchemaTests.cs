using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;
using CircuitInsights.Storage.Schema;
using Microsoft.Data.Sqlite;

namespace CircuitInsights.Storage.Tests.Schema;

public class StoreSchemaTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    [Fact]
    public void Migrations_AreContiguousFromOne()
    {
        Assert.Equal(Enumerable.Range(1, StoreSchema.Migrations.Count), StoreSchema.Migrations.Select(m => m.Version));
        Assert.Equal(StoreSchema.Migrations.Count, StoreSchema.CurrentVersion);
    }

    [Fact]
    public void NewStore_RecordsTheCurrentSchemaVersion()
    {
        string db = _data.NewDb();
        using (var w = StoreWriter.Begin(db)) w.Commit();
        using var conn = StoreConnection.OpenForReading(db);
        Assert.Equal(StoreSchema.CurrentVersion, StoreSchema.VersionOf(conn));
        using var store = FeatureStore.Open(db);
        Assert.Equal(StoreSchema.CurrentVersion, store.Overview().SchemaVersion);
    }

    [Fact]
    public void Open_StoreFromANewerTool_IsRefused()
    {
        string db = _data.NewDb();
        using (var w = StoreWriter.Begin(db))
        {
            w.Run("INSERT INTO schema_version (version, applied_at, description) VALUES ($1, 'now', 'future')", StoreSchema.CurrentVersion + 1);
            w.Commit();
        }
        var read = Assert.Throws<CircuitInsightsException>(() => FeatureStore.Open(db));
        Assert.Contains("upgrade", read.Message);
        var write = Assert.Throws<CircuitInsightsException>(() => StoreWriter.Begin(db));
        Assert.Contains($"schema version {StoreSchema.CurrentVersion + 1}", write.Message);
    }

    [Fact]
    public void Open_SqliteFileThatIsNotAStore_IsRefused()
    {
        string db = _data.NewDb();
        using (var conn = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE other (x INTEGER)";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<CircuitInsightsException>(() => FeatureStore.Open(db));
        Assert.Contains("not a feature store", e.Message);
    }

    [Fact]
    public void Open_FileThatIsNotSqlite_ThrowsOneLineError()
    {
        string path = _data.NewDb();
        File.WriteAllText(path, "this is not a database, just text that is long enough to fill a header page.............................");
        var e = Assert.Throws<CircuitInsightsException>(() => FeatureStore.Open(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Throws<CircuitInsightsException>(() => FeatureStore.Open(Path.Combine(_data.Root, "missing.sqlite")));
    }
}
