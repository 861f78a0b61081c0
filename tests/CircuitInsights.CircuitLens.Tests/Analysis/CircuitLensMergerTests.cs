using System.Text.Json.Nodes;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Tests.Analysis;

public class CircuitLensMergerTests(DemoCacheFixture demo) : IClassFixture<DemoCacheFixture>
{
    FeatureId[] Features(params string[] names) =>
        names.Select(n => demo.Manifest.Feature(n)).Select(f => new FeatureId(f.Layer, f.Index)).Order().ToArray();

    CircuitLensRunner Runner(CircuitLensOptions? options = null) =>
        new(demo.Replacement, demo.Model.Tokenizer, new ActivationCache(demo.CacheDir), options ?? new CircuitLensOptions());

    static void AssertSameFiles(string expected, string actual)
    {
        var a = Directory.GetFiles(expected, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(expected, p)).Order().ToArray();
        var b = Directory.GetFiles(actual, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(actual, p)).Order().ToArray();
        Assert.Equal(a, b);
        foreach (var f in a)
        {
            string x = File.ReadAllText(Path.Combine(expected, f)), y = File.ReadAllText(Path.Combine(actual, f));
            if (x == y) continue;
            // A window's backward sweep batches the targets of all features analysed together, so attributions can differ
            // in the last float bits between a single run and shards; everything else must be identical.
            string[] xs = f.EndsWith(".jsonl") ? x.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [x];
            string[] ys = f.EndsWith(".jsonl") ? y.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [y];
            Assert.Equal(xs.Length, ys.Length);
            for (int i = 0; i < xs.Length; i++) AssertJsonClose(JsonNode.Parse(xs[i]), JsonNode.Parse(ys[i]), $"{f}:{i + 1}");
        }
    }

    static void AssertJsonClose(JsonNode? x, JsonNode? y, string where)
    {
        switch (x)
        {
            case JsonObject ox:
                var oy = Assert.IsType<JsonObject>(y);
                Assert.Equal(ox.Select(p => p.Key), oy.Select(p => p.Key));
                foreach (var (k, v) in ox) AssertJsonClose(v, oy[k], $"{where}.{k}");
                break;
            case JsonArray ax:
                var ay = Assert.IsType<JsonArray>(y);
                Assert.True(ax.Count == ay.Count, $"{where}: {ax.Count} vs {ay.Count} items");
                for (int i = 0; i < ax.Count; i++) AssertJsonClose(ax[i], ay[i], $"{where}[{i}]");
                break;
            case JsonValue vx when vx.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                double dx = vx.GetValue<double>(), dy = y!.GetValue<double>();
                Assert.True(Math.Abs(dx - dy) <= 1e-4 * Math.Max(1, Math.Abs(dx)), $"{where}: {dx} vs {dy}");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(x, y), $"{where}: {x?.ToJsonString()} vs {y?.ToJsonString()}");
                break;
        }
    }

    [Fact]
    public void Merge_TwoShards_EqualsTheSingleRun()
    {
        var all = Features("animal_inherited", "river_detector", "city_promoter");
        string root = Path.Combine(demo.Root, "merge-" + Guid.NewGuid().ToString("N"));
        string single = Path.Combine(root, "single"), s0 = Path.Combine(root, "s0"), s1 = Path.Combine(root, "s1"), merged = Path.Combine(root, "merged");
        Runner().Run(all, single);
        Runner().Run(all.Where((_, i) => i % 2 == 0).ToArray(), s0);
        Runner().Run(all.Where((_, i) => i % 2 == 1).ToArray(), s1);

        Assert.Equal(3, CircuitLensMerger.Merge([s1, s0], merged));
        AssertSameFiles(single, merged);
    }

    [Fact]
    public void Merge_ShardsWithDifferentOptions_AreRefused()
    {
        var all = Features("river_detector", "colour_detector");
        string root = Path.Combine(demo.Root, "merge-" + Guid.NewGuid().ToString("N"));
        Runner().Run([all[0]], Path.Combine(root, "a"));
        Runner(new CircuitLensOptions { Eps = 0.3 }).Run([all[1]], Path.Combine(root, "b"));
        var e = Assert.Throws<CircuitInsightsException>(() => CircuitLensMerger.Merge([Path.Combine(root, "a"), Path.Combine(root, "b")], Path.Combine(root, "out")));
        Assert.Contains("options", e.Message);
        e = Assert.Throws<CircuitInsightsException>(() => CircuitLensMerger.Merge([Path.Combine(root, "missing")], Path.Combine(root, "out2")));
        Assert.Contains("summary.json", e.Message);
    }
}
