namespace CircuitInsights.WeightLens.Tests.Support;

internal static class OutputFiles
{
    /// <summary>Every result file of a run directory (the .weightlens state excluded) with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Read(string directory) =>
        new(Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.'))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes), StringComparer.Ordinal);

    public static void AssertIdentical(string expectedDir, string actualDir)
    {
        var expected = Read(expectedDir);
        var actual = Read(actualDir);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, bytes) in expected)
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs between {expectedDir} and {actualDir}");
    }
}
