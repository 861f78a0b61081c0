using System.Text.RegularExpressions;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.WeightLens.Compare;

/// <summary>Agreement of two runs on one layer.</summary>
/// <param name="Common">Features present in both runs.</param>
/// <param name="OnlyOurs">Features only in the first run.</param>
/// <param name="OnlyTheirs">Features only in the second run.</param>
/// <param name="ValidatedOurs">Common features with validation = true in the first run.</param>
/// <param name="ValidatedTheirs">Common features with validation = true in the second run.</param>
/// <param name="ValidatedBoth">Common features validated in both.</param>
/// <param name="DescribedEither">Common features with a description in at least one run.</param>
/// <param name="MeanJaccard">Mean Jaccard index of the description token sets over <paramref name="DescribedEither"/> features.</param>
/// <param name="IdenticalDescriptions">Common features whose descriptions are identical (both null counts).</param>
public sealed record LayerComparison(int Layer, int Common, int OnlyOurs, int OnlyTheirs, int ValidatedOurs, int ValidatedTheirs,
    int ValidatedBoth, int DescribedEither, double MeanJaccard, int IdenticalDescriptions);

/// <summary>One feature's descriptions in both runs (for the detailed report).</summary>
public sealed record FeatureComparison(int Layer, int FeatureIdx, string[]? Ours, string[]? Theirs, double Jaccard);

/// <summary>
/// Compares two WeightLens result directories (ours, or the authors' released <c>feature_analysis_layer_{L}.json</c>
/// files): per layer, the features in each, the share described (validation = true) in each, and the Jaccard index
/// |A∩B|/|A∪B| of the description token sets of features described by at least one run.
/// </summary>
public static partial class RunComparison
{
    public static (List<LayerComparison> Layers, List<FeatureComparison> Features) Compare(string ours, string theirs, IReadOnlyCollection<int>? layers = null)
    {
        var oursLayers = LayerFiles(ours);
        var theirsLayers = LayerFiles(theirs);
        var common = oursLayers.Keys.Intersect(theirsLayers.Keys).Where(l => layers is null || layers.Contains(l)).Order().ToArray();
        if (common.Length == 0) throw new CircuitInsightsException($"no layer has a feature_analysis_layer_*.json file in both {ours} and {theirs}");
        var result = new List<LayerComparison>();
        var features = new List<FeatureComparison>();
        foreach (int layer in common)
        {
            var a = Index(FeatureRecordJson.ReadFile(oursLayers[layer]), oursLayers[layer]);
            var b = Index(FeatureRecordJson.ReadFile(theirsLayers[layer]), theirsLayers[layer]);
            var both = a.Keys.Intersect(b.Keys).Order().ToArray();
            int described = 0, identical = 0;
            double jaccardSum = 0;
            foreach (int f in both)
            {
                var (x, y) = (a[f].Description, b[f].Description);
                if (Same(x, y)) identical++;
                if (x is null && y is null) continue;
                double j = Jaccard(x, y);
                described++;
                jaccardSum += j;
                features.Add(new FeatureComparison(layer, f, x, y, j));
            }
            result.Add(new LayerComparison(layer, both.Length, a.Keys.Except(b.Keys).Count(), b.Keys.Except(a.Keys).Count(),
                both.Count(f => a[f].Validation), both.Count(f => b[f].Validation), both.Count(f => a[f].Validation && b[f].Validation),
                described, described == 0 ? 1.0 : jaccardSum / described, identical));
        }
        return (result, features);
    }

    /// <summary>Jaccard index of two token sets (1 when both are empty).</summary>
    public static double Jaccard(IReadOnlyCollection<string>? a, IReadOnlyCollection<string>? b)
    {
        var x = new HashSet<string>(a ?? [], StringComparer.Ordinal);
        var y = new HashSet<string>(b ?? [], StringComparer.Ordinal);
        int union = x.Union(y).Count();
        return union == 0 ? 1.0 : (double)x.Intersect(y).Count() / union;
    }

    static bool Same(string[]? x, string[]? y) => x is null ? y is null : y is not null && x.SequenceEqual(y);

    static Dictionary<int, FeatureRecord> Index(List<FeatureRecord> records, string path)
    {
        var map = new Dictionary<int, FeatureRecord>();
        foreach (var r in records)
            if (!map.TryAdd(r.FeatureIdx, r)) throw new CircuitInsightsException($"{path}: feature {r.FeatureIdx} appears twice");
        return map;
    }

    static Dictionary<int, string> LayerFiles(string directory)
    {
        if (!Directory.Exists(directory)) throw new CircuitInsightsException($"{directory}: directory not found");
        var map = new Dictionary<int, string>();
        foreach (var file in Directory.EnumerateFiles(directory, "feature_analysis_layer_*.json"))
        {
            var m = LayerFilePattern().Match(Path.GetFileName(file));
            if (m.Success) map[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = file;
        }
        return map;
    }

    [GeneratedRegex(@"^feature_analysis_layer_(\d+)\.json$")]
    private static partial Regex LayerFilePattern();
}
