using System.Text;
using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;

namespace CircuitInsights.Demo;

/// <summary>Writes the demo model in real formats: a Hugging Face GPT-2 directory and a circuit-tracer transcoder set.</summary>
internal static class DemoModelFiles
{
    public static DecoderSpec Spec() => new()
    {
        Architecture = "gpt2", Layers = DemoLayout.Layers, DModel = DemoLayout.DModel, Heads = DemoLayout.Heads, KvHeads = DemoLayout.Heads,
        HeadDim = DemoLayout.HeadDim, DMlp = DemoLayout.MlpWidth, Vocab = DemoLayout.Vocab, MaxPositions = DemoLayout.Positions,
        Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
        Positions = PositionKind.Learned, AttentionScale = 1f / MathF.Sqrt(DemoLayout.HeadDim),
    };

    public static void WriteModel(string dir, DemoWeights w)
    {
        Directory.CreateDirectory(dir);
        var config = new Dictionary<string, object>
        {
            ["_name_or_path"] = "circuit-insights/demo-gpt2", ["activation_function"] = "gelu_new", ["architectures"] = new[] { "GPT2LMHeadModel" },
            ["attn_pdrop"] = 0.0, ["bos_token_id"] = 50256, ["embd_pdrop"] = 0.0, ["eos_token_id"] = 50256, ["initializer_range"] = 0.02,
            ["layer_norm_epsilon"] = 1e-5, ["model_type"] = "gpt2", ["n_ctx"] = DemoLayout.Positions, ["n_embd"] = DemoLayout.DModel,
            ["n_head"] = DemoLayout.Heads, ["n_inner"] = DemoLayout.MlpWidth, ["n_layer"] = DemoLayout.Layers, ["n_positions"] = DemoLayout.Positions,
            ["resid_pdrop"] = 0.0, ["torch_dtype"] = "float32", ["vocab_size"] = DemoLayout.Vocab,
        };
        AtomicFile.Write(Path.Combine(dir, "config.json"), s => JsonSerializer.Serialize(s, config, new JsonSerializerOptions { WriteIndented = true }));
        var writer = new SafeTensorsWriter();
        writer.Metadata["format"] = "pt";
        foreach (var (name, (data, shape)) in w.Model) writer.Add(name, data, shape);
        writer.Write(Path.Combine(dir, "model.safetensors"));
        Gpt2TokenizerFiles.WriteTo(dir);
    }

    public static void WriteTranscoders(string dir, DemoWeights w)
    {
        Directory.CreateDirectory(dir);
        int d = DemoLayout.DModel, k = DemoLayout.Width;
        for (int l = 0; l < DemoLayout.Layers; l++)
        {
            var encRows = new float[k * d]; // circuit-tracer stores W_enc as [K, D]
            for (int i = 0; i < d; i++)
                for (int f = 0; f < k; f++) encRows[f * d + i] = w.Encoder[l][i * k + f];
            var writer = new SafeTensorsWriter();
            writer.Add("W_enc", encRows, [k, d]);
            writer.Add("W_dec", w.Decoder[l], [k, d]);
            writer.Add("b_enc", w.EncoderBias[l], [k]);
            writer.Add("b_dec", w.DecoderBias[l], [d]);
            writer.Write(Path.Combine(dir, $"layer_{l}.safetensors"));
        }
        var yaml = new StringBuilder()
            .AppendLine("# circuit-tracer transcoder set for the CircuitInsights demo model")
            .AppendLine("model_name: \"circuit-insights/demo-gpt2\"")
            .AppendLine("model_kind: \"transcoder_set\"")
            .AppendLine("feature_input_hook: \"mlp.hook_in\"")
            .AppendLine("feature_output_hook: \"hook_mlp_out\"")
            .AppendLine("transcoders:");
        for (int l = 0; l < DemoLayout.Layers; l++) yaml.AppendLine($"  - \"layer_{l}.safetensors\"");
        AtomicFile.WriteAllText(Path.Combine(dir, "config.yaml"), yaml.ToString());
    }
}
