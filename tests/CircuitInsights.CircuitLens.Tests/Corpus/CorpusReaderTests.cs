using CircuitInsights.CircuitLens.Corpus;

namespace CircuitInsights.CircuitLens.Tests.Corpus;

public class CorpusReaderTests
{
    [Fact]
    public void Folder_ReadsTextFilesInOrdinalOrder_SkippingHiddenAndMetadataFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ci-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            Directory.CreateDirectory(Path.Combine(dir, ".git"));
            File.WriteAllText(Path.Combine(dir, "b.txt"), "second");
            File.WriteAllText(Path.Combine(dir, "a.md"), "first");
            File.WriteAllText(Path.Combine(dir, "sub", "c"), "third");
            File.WriteAllText(Path.Combine(dir, "README.md"), "about the data");
            File.WriteAllText(Path.Combine(dir, "LICENSE"), "licence text");
            File.WriteAllText(Path.Combine(dir, ".hidden.txt"), "hidden");
            File.WriteAllText(Path.Combine(dir, ".git", "HEAD"), "ref");
            File.WriteAllText(Path.Combine(dir, "data.bin"), "binary");
            Assert.Equal(["first", "second", "third"], CorpusReader.Read(dir).Select(d => d.Text));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Folder_WithOnlyMetadata_SaysThereIsNoCorpus()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ci-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "README.md"), "about");
            var e = Assert.Throws<CircuitInsightsException>(() => CorpusReader.Read(dir).ToList());
            Assert.Contains("no corpus files", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
