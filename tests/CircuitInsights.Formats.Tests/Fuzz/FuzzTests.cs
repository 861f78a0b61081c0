using System.IO.Compression;
using System.Text;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

/// <summary>
/// Seeded mutation fuzzing of every parser: only <see cref="CircuitInsightsException"/> (or success) may escape, each
/// input within 2 s and 64 MiB. 100 000 inputs per parser by default; <c>CI_FUZZ_ITERATIONS</c> changes it.
/// </summary>
public sealed class TensorFileFuzzTests(ITestOutputHelper output)
{
    void Report(string parser, FuzzHarness.Result r) =>
        output.WriteLine($"{parser}: {r.Runs} inputs, {r.Parsed} parsed, {r.Rejected} rejected with CircuitInsightsException");

    [Fact]
    public void SafeTensors_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var seeds = new List<byte[]>
        {
            FuzzSeeds.SafeTensorsSeed(w => { w.Metadata["format"] = "pt"; w.Add("a", new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]).Add("b", new long[] { 1, 2 }, [2]); }),
            FuzzSeeds.SafeTensorsSeed(w => w.Add("h", new float[] { 1, -2, 3, 0.5f }, [4], DType.BF16).Add16("f", DType.F16, new ushort[] { 0x3C00 }, [1]).AddRaw("m", DType.Bool, new byte[] { 1, 0, 1 }, [3])),
            FuzzSeeds.SafeTensorsSeed(w => w.Add("e", new float[0], [0, 4]).Add("s", new double[] { 2.5 }, [])),
            File.ReadAllBytes(Fixtures.Path("unaligned.safetensors")),
        };
        Report("safetensors", FuzzHarness.Run("safetensors", seeds, bytes =>
        {
            using var f = SafeTensorsFile.FromBytes(bytes, "fuzz.safetensors");
            FuzzSeeds.Drain(f);
        }, seed: 1001));
    }

    [Fact]
    public void Npy_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var ms = new MemoryStream();
        NpyWriter.Write(ms, new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var ms2 = new MemoryStream();
        NpyWriter.Write(ms2, DType.I64, [3], Bits.Of(new long[] { 1, 2, 3 }));
        var seeds = new List<byte[]>
        {
            ms.ToArray(), ms2.ToArray(),
            File.ReadAllBytes(Fixtures.Path("fortran_2x3.npy")), File.ReadAllBytes(Fixtures.Path("v2_int64.npy")), File.ReadAllBytes(Fixtures.Path("v3_f16.npy")),
        };
        Report("npy", FuzzHarness.Run("npy", seeds, bytes =>
        {
            using var f = NpyFile.FromBytes(bytes, "fuzz.npy");
            FuzzSeeds.Drain(f);
        }, seed: 1002));
    }

    [Fact]
    public void Npz_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var stored = new MemoryStream();
        NpzWriter.Write(stored, [TensorData.FromF32("W", [2, 2], new float[] { 1, 2, 3, 4 }), TensorData.FromF32("b", [2], new float[] { 5, 6 })]);
        var deflated = new MemoryStream();
        NpzWriter.Write(deflated, [TensorData.FromF32("W", [2, 2], new float[] { 1, 2, 3, 4 })], compressed: true);
        var seeds = new List<byte[]>
        {
            stored.ToArray(), deflated.ToArray(),
            File.ReadAllBytes(Fixtures.Path("gemma_scope_params.npz")), File.ReadAllBytes(Fixtures.Path("gemma_scope_params_compressed.npz")),
        };
        Report("npz", FuzzHarness.Run("npz", seeds, bytes =>
        {
            using var z = NpzArchive.FromBytes(bytes, "fuzz.npz");
            FuzzSeeds.Drain(z);
        }, seed: 1003));
    }
}

/// <summary>
/// Seeded mutation fuzzing of every parser: only <see cref="CircuitInsightsException"/> (or success) may escape, each
/// input within 2 s and 64 MiB. 100 000 inputs per parser by default; <c>CI_FUZZ_ITERATIONS</c> changes it.
/// </summary>
public sealed class PickleFuzzTests(ITestOutputHelper output)
{
    void Report(string parser, FuzzHarness.Result r) =>
        output.WriteLine($"{parser}: {r.Runs} inputs, {r.Parsed} parsed, {r.Rejected} rejected with CircuitInsightsException");

    [Fact]
    public void Pickle_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var storage = new TorchStorageRef("FloatStorage", DType.F32, "0", "cpu", 4);
        Report("pickle", FuzzHarness.Run("pickle", FuzzSeeds.PickleSeeds(), bytes =>
            PickleReader.Load(bytes, "fuzz.pkl", "data.pkl", _ => storage), seed: 1004));
    }

    [Fact]
    public void TorchZip_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var seeds = new List<byte[]>
        {
            File.ReadAllBytes(Fixtures.Path("pchlenski_style.pt")),
            File.ReadAllBytes(Fixtures.Path("mixed_dtypes.pt")),
            File.ReadAllBytes(Fixtures.Path("bare_tensor.pt")),
        };
        Report("torch zip", FuzzHarness.Run("torch-zip", seeds, bytes =>
        {
            using var c = TorchCheckpoint.FromBytes(bytes, "fuzz.pt");
            FuzzSeeds.Drain(c);
            c.TryGetValue("cfg.d_in", out _);
        }, seed: 1005));
    }

    [Fact]
    public void TorchPickleInsideValidZip_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        // Structure-aware: mutate only data.pkl and re-zip with correct CRCs, so mutations reach the pickle and the
        // tensor rebuild logic instead of stopping at the zip layer.
        var storages = Enumerable.Range(0, 6).Select(i => (Key: i.ToString(), Data: FuzzSeeds.Entry("mixed_dtypes.pt", $"/data/{i}"))).ToList();
        byte[] Zip(byte[] pkl)
        {
            var z = new ZipBuilder().Add("archive/data.pkl", pkl, align: 64);
            foreach (var (k, d) in storages) z.Add($"archive/data/{k}", d, align: 64);
            return z.Build();
        }
        var seeds = new List<byte[]> { FuzzSeeds.Entry("mixed_dtypes.pt", "/data.pkl"), FuzzSeeds.Entry("pchlenski_style.pt", "/data.pkl") };
        Report("torch pickle", FuzzHarness.Run("torch-pickle", seeds, pkl =>
        {
            using var c = TorchCheckpoint.FromBytes(Zip(pkl), "fuzz.pt");
            FuzzSeeds.Drain(c);
        }, seed: 1006));
    }
}

/// <summary>
/// Seeded mutation fuzzing of every parser: only <see cref="CircuitInsightsException"/> (or success) may escape, each
/// input within 2 s and 64 MiB. 100 000 inputs per parser by default; <c>CI_FUZZ_ITERATIONS</c> changes it.
/// </summary>
public sealed class ConfigFuzzTests(ITestOutputHelper output)
{
    void Report(string parser, FuzzHarness.Result r) =>
        output.WriteLine($"{parser}: {r.Runs} inputs, {r.Parsed} parsed, {r.Rejected} rejected with CircuitInsightsException");

    [Fact]
    public void JsonConfig_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var seeds = new List<byte[]>
        {
            """{"architectures": ["GPT2LMHeadModel"], "n_embd": 768, "layer_norm_epsilon": 1e-05, "bos_token_id": 50256, "tie_word_embeddings": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}}}"""u8.ToArray(),
            """{"rope_scaling": {"factor": 32.0, "rope_type": "llama3"}, "eos_token_id": [128001, 128008], "pad_token_id": null, "name": "caf\u00e9 \ud83d\ude00"}"""u8.ToArray(),
            """{"metadata": {"total_size": 28}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}"""u8.ToArray(),
        };
        Report("json", FuzzHarness.Run("json", seeds, bytes =>
        {
            try { FuzzSeeds.WalkConfig(JsonConfig.Parse(bytes, "fuzz.json"), 0); }
            finally { try { ShardedSafeTensors.ParseIndex(bytes, "fuzz.index.json"); } catch (InvalidModelFileException) { } }
        }, seed: 1007, text: true));
    }

    [Fact]
    public void YamlConfig_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var seeds = new List<byte[]>
        {
            """
            model_name: "google/gemma-2-2b"
            model_kind: transcoder_set
            feature_input_hook: "ln2.hook_normalized"
            feature_output_hook: 'hook_mlp_out'
            transcoders:
              - "hf://google/gemma-scope-2b-pt-transcoders/layer_0/width_16k/average_l0_76/params.npz"
              - "hf://google/gemma-scope-2b-pt-transcoders/layer_1/width_16k/average_l0_65/params.npz"
            """u8.ToArray(),
            "a: &x {k: 1, l: [1, 2.5, .inf, ~, yes]}\nb: *x\nc: |\n  block\n  text\nd: !!str 12\n"u8.ToArray(),
            "activation: topk\nk: 64\nnested:\n  - name: a\n    value: 0x1F\n  - name: b\n    value: -0o17\n"u8.ToArray(),
        };
        Report("yaml", FuzzHarness.Run("yaml", seeds, bytes => FuzzSeeds.WalkConfig(YamlConfig.Parse(Encoding.UTF8.GetString(bytes), "fuzz.yaml"), 0), seed: 1008, text: true));
    }
}

/// <summary>
/// Seeded mutation fuzzing of the tokenizer files: Hugging Face <c>tokenizer.json</c> (Gemma-2-, Llama-3- and GPT-2-style
/// seeds) and SentencePiece <c>tokenizer.model</c> protobufs. Same budget and rules as the other parsers.
/// </summary>
public sealed class TokenizerFuzzTests(ITestOutputHelper output)
{
    void Report(string parser, FuzzHarness.Result r) =>
        output.WriteLine($"{parser}: {r.Runs} inputs, {r.Parsed} parsed, {r.Rejected} rejected with CircuitInsightsException");

    [Fact]
    public void TokenizerJson_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var gpt2Like = Formats.Tokenization.ByteLevelBpeJsonWriter.Write(
            [new("h", 0), new("e", 1), new("l", 2), new("o", 3), new("Ġ", 4), new("he", 5), new("ll", 6), new("hell", 7), new("hello", 8)],
            ["h e", "l l", "he ll", "hell o"], [(9, "<|endoftext|>")]);
        var seeds = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(Testing.Tokenization.SyntheticTokenizers.Gemma().ToJsonString()),
            Encoding.UTF8.GetBytes(Testing.Tokenization.SyntheticTokenizers.Llama3().ToJsonString()),
            gpt2Like,
        };
        Report("tokenizer.json", FuzzHarness.Run("tokenizer.json", seeds, bytes =>
        {
            var file = Formats.Tokenization.TokenizerJsonFile.Parse(bytes, "fuzz/tokenizer.json");
            _ = file.Vocabulary.Count + file.TemplatePrefix.Length + file.TemplateSuffix.Length;
        }, seed: 1009, text: true));
    }

    [Fact]
    public void SentencePieceModel_MutatedInputs_OnlyThrowCircuitInsightsException()
    {
        var seeds = new List<byte[]> { Tokenization.SentencePieceFixtures.GemmaLike, Tokenization.SentencePieceFixtures.Llama2Like };
        Report("tokenizer.model", FuzzHarness.Run("tokenizer.model", seeds, bytes => Formats.Tokenization.SentencePieceModelFile.Parse(bytes, "fuzz/tokenizer.model"), seed: 1010));
    }
}
