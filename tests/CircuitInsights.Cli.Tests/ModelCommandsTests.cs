using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests;

/// <summary>
/// <c>inspect</c>, <c>forward</c> and <c>generate</c> run in-process (<see cref="CliApp.Run"/>) on synthetic GPT-2, Gemma-2
/// and Llama-3 directories in the real HF layout; <c>forward</c>'s .npz is read back and compared with the fp64 references.
/// </summary>
public sealed class ModelCommandsTests : IDisposable
{
    static readonly SyntheticGemma2.Config Gemma = new();
    static readonly SyntheticLlama.Config Llama = new(Llama3Scaling: SyntheticLlama.Config.DefaultScaling);
    static readonly SyntheticGpt2.Config Gpt2 = new(Layers: 2, DModel: 32, Heads: 4, DMlp: 64, Vocab: 50257, Positions: 64);
    const string Prompt = "the cat sat on the mat";

    readonly string _dir = CheckpointDirectory.CreateTemp("ci-cli");
    string ModelDir => Path.Combine(_dir, "model");
    string Npz => Path.Combine(_dir, "out", "forward.npz");

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Writes the model; returns a function computing the reference logits [T, V] for given ids.</summary>
    Func<int[], double[]> WriteModel(string arch)
    {
        switch (arch)
        {
            case "gemma2":
            {
                var w = SyntheticGemma2.Create(Gemma, seed: 41, bf16: true);
                CheckpointDirectory.WriteGemma2(ModelDir, Gemma, w, DType.BF16);
                return ids => ReferenceGemma2.Forward(w, Gemma, ids, DType.BF16).Logits;
            }
            case "llama":
            {
                var w = SyntheticLlama.Create(Llama, seed: 42);
                CheckpointDirectory.WriteLlama(ModelDir, Llama, w);
                return ids => ReferenceLlama.Forward(w, Llama, ids).Logits;
            }
            default:
            {
                var w = SyntheticGpt2.Create(Gpt2, seed: 43);
                CheckpointDirectory.WriteGpt2(ModelDir, Gpt2, w);
                return ids => ReferenceGpt2.Forward(w, Gpt2, ids).Logits;
            }
        }
    }

    [Theory]
    [InlineData("gemma2", "sliding window 4")]
    [InlineData("llama", "kv 2, head dim 16")]
    [InlineData("gpt2", "LayerNorm")]
    public void Inspect_SyntheticDirectory_ReportsArchitectureAndPassesCheck(string arch, string detail)
    {
        WriteModel(arch);
        var (code, stdout, stderr) = Run("inspect", ModelDir);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains($"architecture: {arch}", stdout);
        Assert.Contains(detail, stdout);
        Assert.Contains("all expected tensors present", stdout);
    }

    [Theory]
    [InlineData("gemma2")]
    [InlineData("llama")]
    [InlineData("gpt2")]
    public void Forward_SyntheticDirectory_NpzLogitsMatchReference(string arch)
    {
        var reference = WriteModel(arch);
        var (code, stdout, stderr) = Run("forward", "-m", ModelDir, "-p", Prompt, "--hooks", "blocks.1.hook_resid_mid", "-o", Npz);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        using var npz = NpzArchive.Open(Npz);
        var idsTensor = npz.Load("input_ids");
        Assert.Equal(DType.I64, idsTensor.DType);
        var ids = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(idsTensor.Raw.Span).ToArray().Select(i => (int)i).ToArray();
        using (var tokenizer = (IDisposable)TokenizerLoader.Load(ModelDir))
            Assert.Equal(((ITokenizer)tokenizer).Encode(Prompt), ids);
        var logits = npz.Load("logits");
        int vocab = arch switch { "gemma2" => Gemma.Vocab, "llama" => Llama.Vocab, _ => Gpt2.Vocab };
        Assert.Equal([1, ids.Length, vocab], logits.Shape);
        NumericAssert.Close(reference(ids), logits.ToFloatArray(), 1e-4, $"{arch} logits");
        Assert.True(npz.TryGetInfo("blocks.1.hook_resid_mid", out var hook));
        Assert.Equal([1, ids.Length, arch switch { "gemma2" => Gemma.DModel, "llama" => Llama.DModel, _ => Gpt2.DModel }], hook.Shape);
    }

    [Theory]
    [InlineData("gemma2")]
    [InlineData("llama")]
    [InlineData("gpt2")]
    public void Generate_SyntheticDirectory_ContinuesWithReferenceArgmax(string arch)
    {
        var reference = WriteModel(arch);
        int[] ids;
        string expected;
        using (var tokenizer = (IDisposable)TokenizerLoader.Load(ModelDir))
        {
            var tok = (ITokenizer)tokenizer;
            ids = tok.Encode(Prompt);
            int prompt = ids.Length;
            for (int step = 0; step < 3; step++)
            {
                var logits = reference(ids);
                int vocab = logits.Length / ids.Length;
                var last = logits.AsSpan((ids.Length - 1) * vocab, vocab).ToArray();
                int best = Array.IndexOf(last, last.Max());
                ids = [.. ids, best];
                if (best == tok.EosTokenId) break;
            }
            expected = Prompt + tok.Decode(ids[prompt..]);
        }
        var (code, stdout, stderr) = Run("generate", "-m", ModelDir, "-p", Prompt, "-n", "3");
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Equal(expected, stdout.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void Forward_MissingShard_ExitsWithOneLine()
    {
        WriteModel("llama");
        File.Delete(Path.Combine(ModelDir, "model-00002-of-00002.safetensors"));
        var (code, _, stderr) = Run("forward", "-m", ModelDir, "-p", Prompt, "-o", Npz);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("model-00002-of-00002.safetensors", stderr);
        Assert.False(File.Exists(Npz));
    }
}
