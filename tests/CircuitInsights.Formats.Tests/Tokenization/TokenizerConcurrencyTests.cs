using CircuitInsights.Formats.Tokenization;
using static CircuitInsights.Testing.Tokenization.SyntheticTokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>Tokenizers are used from several threads (attribution batches): results must equal the single-threaded ones.</summary>
public sealed class TokenizerConcurrencyTests
{
    [Fact]
    public void Encode_FromManyThreads_GivesSameIdsAsSequential()
    {
        using var dir1 = new TempDirectory();
        using var dir2 = new TempDirectory();
        using var gemma = HuggingFaceTokenizer.Load(WriteTo(dir1.Path, Gemma()));
        using var llama = HuggingFaceTokenizer.Load(WriteTo(dir2.Path, Llama3()));
        var gpt2 = Gpt2TokenizerFiles.Load();
        ITokenizer[] toks = [gemma, llama, gpt2];
        string[] texts = ["the cat", "  the\n\n cat 12345 café 中😀", "<|begin_of_text|>i'll", "a     b", ""];
        var expected = toks.Select(t => texts.Select(x => t.Encode(x)).ToArray()).ToArray();
        int failures = 0;
        Parallel.For(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int t = i % toks.Length, x = (i / toks.Length) % texts.Length;
            if (!toks[t].Encode(texts[x]).SequenceEqual(expected[t][x])) Interlocked.Increment(ref failures);
            if (toks[t].Decode(expected[t][x]).Length < 0) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void LoadAndDispose_FromManyThreads_DoesNotCrash()
    {
        using var dir = new TempDirectory();
        string file = WriteTo(dir.Path, Llama3());
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var tok = HuggingFaceTokenizer.Load(file);
            Assert.Equal([LlamaId("Ġthe")], tok.Encode(" the", addBos: false));
            if (Environment.CurrentManagedThreadId % 2 == 0) tok.Dispose(); // others are left to the finalizer
        });
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
