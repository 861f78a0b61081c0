namespace CircuitInsights.Demo;

/// <summary>Mutable fp32 weights of the demo model in GPT-2 checkpoint naming and layout, plus its transcoders.</summary>
internal sealed class DemoWeights
{
    const int D = DemoLayout.DModel, L = DemoLayout.Layers, K = DemoLayout.Width, F = DemoLayout.MlpWidth, V = DemoLayout.Vocab, P = DemoLayout.Positions;

    /// <summary>GPT-2 tensors by checkpoint name (Conv1D [in, out]).</summary>
    public Dictionary<string, (float[] Data, int[] Shape)> Model { get; } = new(StringComparer.Ordinal);
    /// <summary>Per layer: W_enc [D, K] (x·W orientation), b_enc [K], W_dec [K, D], b_dec [D].</summary>
    public float[][] Encoder { get; } = new float[L][];
    public float[][] EncoderBias { get; } = new float[L][];
    public float[][] Decoder { get; } = new float[L][];
    public float[][] DecoderBias { get; } = new float[L][];

    public DemoWeights()
    {
        Add("wte.weight", V, D);
        Add("wpe.weight", P, D);
        for (int l = 0; l < L; l++)
        {
            string p = $"h.{l}.";
            AddOnes(p + "ln_1.weight", D); Add(p + "ln_1.bias", D);
            Add(p + "attn.c_attn.weight", D, 3 * D); Add(p + "attn.c_attn.bias", 3 * D);
            Add(p + "attn.c_proj.weight", D, D); Add(p + "attn.c_proj.bias", D);
            AddOnes(p + "ln_2.weight", D); Add(p + "ln_2.bias", D);
            Add(p + "mlp.c_fc.weight", D, F); Add(p + "mlp.c_fc.bias", F);
            Add(p + "mlp.c_proj.weight", F, D); Add(p + "mlp.c_proj.bias", D);
            Encoder[l] = new float[D * K]; EncoderBias[l] = new float[K]; Decoder[l] = new float[K * D]; DecoderBias[l] = new float[D];
        }
        AddOnes("ln_f.weight", D); Add("ln_f.bias", D);
    }

    void Add(string name, params int[] shape) => Model[name] = (new float[shape.Aggregate(1, (a, b) => a * b)], shape);

    void AddOnes(string name, int n)
    {
        Add(name, n);
        Array.Fill(Model[name].Data, 1f);
    }

    public float[] this[string name] => Model[name].Data;

    /// <summary>Copies transcoder <paramref name="layer"/> into the MLP: c_fc = β·W_enc, bias β·b_enc, c_proj = W_dec/β, bias b_dec.</summary>
    public void WriteTranscoderIntoMlp(int layer)
    {
        float beta = DemoLayout.MlpSharpness;
        var cfc = this[$"h.{layer}.mlp.c_fc.weight"];
        var cfcBias = this[$"h.{layer}.mlp.c_fc.bias"];
        var cproj = this[$"h.{layer}.mlp.c_proj.weight"];
        for (int i = 0; i < D; i++)
            for (int f = 0; f < K; f++) cfc[i * F + f] = beta * Encoder[layer][i * K + f];
        for (int f = 0; f < K; f++)
        {
            cfcBias[f] = beta * EncoderBias[layer][f];
            for (int i = 0; i < D; i++) cproj[f * D + i] = Decoder[layer][f * D + i] / beta;
        }
        DecoderBias[layer].CopyTo(this[$"h.{layer}.mlp.c_proj.bias"], 0);
    }
}
