using System.Text;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Tests.Support;

/// <summary>
/// A tiny GPT-2 (real vocabulary and tokenizer, D = 32, 3 layers) written as a Hugging Face directory, with a circuit-tracer
/// transcoder set (K = 128) whose features are planted so that weights alone explain them:
/// <list type="bullet">
/// <item>token detectors: encoder = a direction u_S that the embeddings of a token set S carry with amplitude 5;</item>
/// <item>upstream links: encoder = the decoder direction v of an earlier planted feature;</item>
/// <item>output features: decoder = ±u_S, so w_dec·W_U (tied) promotes or suppresses S.</item>
/// </list>
/// The MLPs compute the transcoders (c_fc = β·W_enc, c_proj = W_dec/β, GELU(β·)/β ≈ ReLU), attention is weak, so a token
/// fed as [BOS, token] activates exactly what the weights say. All planted directions are orthonormal and have zero mean
/// (LayerNorm keeps them), and the embeddings' random part is (up to std 0.02) orthogonal to them, so no random token
/// activates a planted feature. Background features are random.
/// </summary>
public sealed class PlantedGpt2 : IDisposable
{
    public const int D = 32, K = 128, Layers = 3, Heads = 4, Vocab = 50257, Positions = 64;
    const float Amplitude = 5f, Beta = 8f;

    public static readonly IReadOnlyDictionary<string, string[]> Sets = new Dictionary<string, string[]>
    {
        ["animals"] = [" cat", " dog", " horse", " cow", " sheep", " pig"],
        ["colours"] = [" red", " blue", " green", " yellow"],
        ["weekdays"] = [" Monday", " Tuesday", " Wednesday", " Friday"],
        ["cities"] = [" Paris", " London", " Berlin", " Tokyo", " Rome"],
        ["affirmations"] = [" yes", " always", " sure"],
    };

    /// <summary>Planted features: name → (layer, index).</summary>
    public static readonly IReadOnlyDictionary<string, FeatureId> Features = new Dictionary<string, FeatureId>
    {
        ["animal_detector"] = new(0, 5),     // reads u_animals, writes v_animal
        ["colour_detector"] = new(0, 17),    // reads u_colours, writes v_colour
        ["animal_inherited"] = new(1, 9),    // reads v_animal
        ["weekday_detector"] = new(1, 30),   // reads u_weekdays, writes v_weekday
        ["city_promoter"] = new(2, 40),      // reads v_colour, writes +u_cities
        ["affirmation_suppressor"] = new(2, 41), // reads v_weekday (a layer-1 link), writes −u_affirmations
        ["animal_deep"] = new(2, 7),         // reads v_animal
    };

    public string Root { get; }
    public string ModelDir => Path.Combine(Root, "model");
    public string TranscoderDir => Path.Combine(Root, "transcoders");
    /// <summary>Token set name → ids.</summary>
    public Dictionary<string, int[]> SetIds { get; } = new();

    public PlantedGpt2(int seed = 7)
    {
        Root = CheckpointDirectory.CreateTemp("ci-weightlens-planted");
        var rng = new Random(seed);
        var tokenizer = Gpt2TokenizerFiles.Load();
        foreach (var (name, words) in Sets)
            SetIds[name] = words.Select(w => tokenizer.Encode(w, addBos: false)).Select(ids => ids.Length == 1 ? ids[0] : throw new InvalidOperationException($"'{name}' word is not one token")).ToArray();

        var dirs = Orthonormal(rng, 12);
        var u = new Dictionary<string, float[]> { ["animals"] = dirs[0], ["colours"] = dirs[1], ["weekdays"] = dirs[2], ["cities"] = dirs[3], ["affirmations"] = dirs[4] };
        float[] vAnimal = dirs[5], vColour = dirs[6], vWeekday = dirs[7], vInherit = dirs[8], vDeep = dirs[9];

        var t = new CheckpointTensors();
        var wte = TestRandom.Normal(rng, Vocab * D, 0.5);
        // the noise lives (up to a small isotropic part) in the complement of the planted directions, so no random
        // token activates a planted feature on its own
        var small = TestRandom.Normal(rng, Vocab * D, 0.02);
        for (int v = 0; v < Vocab; v++)
        {
            foreach (var dir in dirs.Take(10))
            {
                double dot = 0;
                for (int i = 0; i < D; i++) dot += wte[v * D + i] * dir[i];
                for (int i = 0; i < D; i++) wte[v * D + i] -= (float)(dot * dir[i]);
            }
            for (int i = 0; i < D; i++) wte[v * D + i] += small[v * D + i];
        }
        foreach (var (name, ids) in SetIds)
            foreach (int id in ids)
                for (int i = 0; i < D; i++) wte[id * D + i] += Amplitude * u[name][i];
        t.Add("wte.weight", wte, Vocab, D);
        t.Add("wpe.weight", TestRandom.Normal(rng, Positions * D, 0.05), Positions, D);

        var enc = new float[Layers][]; var dec = new float[Layers][]; var bEnc = new float[Layers][];
        for (int l = 0; l < Layers; l++)
        {
            enc[l] = TestRandom.Normal(rng, D * K, 1.0 / Math.Sqrt(D)); // [D, K]
            dec[l] = TestRandom.Normal(rng, K * D, 0.05);               // [K, D]
            bEnc[l] = Enumerable.Range(0, K).Select(_ => -2.5f).ToArray();
        }
        void Plant(string feature, float[] reads, float[] writes, float bias)
        {
            var f = Features[feature];
            for (int i = 0; i < D; i++) { enc[f.Layer][i * K + f.Index] = reads[i]; dec[f.Layer][f.Index * D + i] = writes[i]; }
            bEnc[f.Layer][f.Index] = bias;
        }
        Plant("animal_detector", u["animals"], vAnimal, -2f);
        Plant("colour_detector", u["colours"], vColour, -2f);
        Plant("animal_inherited", vAnimal, vInherit, -0.8f);
        Plant("weekday_detector", u["weekdays"], vWeekday, -2f);
        Plant("city_promoter", vColour, u["cities"], -0.8f);
        Plant("affirmation_suppressor", vWeekday, u["affirmations"].Select(x => -x).ToArray(), -0.8f);
        Plant("animal_deep", vAnimal, vDeep, -0.8f);

        for (int l = 0; l < Layers; l++)
        {
            string p = $"h.{l}.";
            t.Add(p + "ln_1.weight", Ones(D), D);
            t.Add(p + "ln_1.bias", new float[D], D);
            t.Add(p + "attn.c_attn.weight", TestRandom.Normal(rng, D * 3 * D, 0.05), D, 3 * D);
            t.Add(p + "attn.c_attn.bias", new float[3 * D], 3 * D);
            t.Add(p + "attn.c_proj.weight", TestRandom.Normal(rng, D * D, 0.02), D, D);
            t.Add(p + "attn.c_proj.bias", new float[D], D);
            t.Add(p + "ln_2.weight", Ones(D), D);
            t.Add(p + "ln_2.bias", new float[D], D);
            t.Add(p + "mlp.c_fc.weight", enc[l].Select(x => Beta * x).ToArray(), D, K);
            t.Add(p + "mlp.c_fc.bias", bEnc[l].Select(x => Beta * x).ToArray(), K);
            t.Add(p + "mlp.c_proj.weight", dec[l].Select(x => x / Beta).ToArray(), K, D);
            t.Add(p + "mlp.c_proj.bias", new float[D], D);
        }
        t.Add("ln_f.weight", Ones(D), D);
        t.Add("ln_f.bias", new float[D], D);
        CheckpointDirectory.WriteGpt2(ModelDir, new SyntheticGpt2.Config(Layers, D, Heads, K, Vocab, Positions), t);
        WriteTranscoders(enc, dec, bEnc);
    }

    void WriteTranscoders(float[][] enc, float[][] dec, float[][] bEnc)
    {
        Directory.CreateDirectory(TranscoderDir);
        for (int l = 0; l < Layers; l++)
        {
            var rows = new float[K * D]; // circuit-tracer W_enc is [K, D]
            for (int i = 0; i < D; i++)
                for (int f = 0; f < K; f++) rows[f * D + i] = enc[l][i * K + f];
            var w = new SafeTensorsWriter();
            w.Add("W_enc", rows, [K, D]);
            w.Add("W_dec", dec[l], [K, D]);
            w.Add("b_enc", bEnc[l], [K]);
            w.Add("b_dec", new float[D], [D]);
            w.Write(Path.Combine(TranscoderDir, $"layer_{l}.safetensors"));
        }
        File.WriteAllText(Path.Combine(TranscoderDir, "config.yaml"), new StringBuilder()
            .AppendLine("model_name: \"planted-gpt2\"").AppendLine("model_kind: \"transcoder_set\"")
            .AppendLine("feature_input_hook: \"mlp.hook_in\"").AppendLine("feature_output_hook: \"hook_mlp_out\"").ToString());
    }

    static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    /// <summary>Orthonormal directions with zero mean (Gram–Schmidt against the all-ones vector and each other).</summary>
    static float[][] Orthonormal(Random rng, int count)
    {
        var basis = new List<double[]> { Enumerable.Repeat(1 / Math.Sqrt(D), D).ToArray() };
        var result = new float[count][];
        for (int c = 0; c < count; c++)
        {
            var v = TestRandom.Normal(rng, D).Select(x => (double)x).ToArray();
            foreach (var b in basis)
            {
                double dot = v.Zip(b, (x, y) => x * y).Sum();
                for (int i = 0; i < D; i++) v[i] -= dot * b[i];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < D; i++) v[i] /= norm;
            basis.Add(v);
            result[c] = v.Select(x => (float)x).ToArray();
        }
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
