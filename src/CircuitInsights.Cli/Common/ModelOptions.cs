using System.CommandLine;
using CircuitInsights.Models;

namespace CircuitInsights.Cli.Common;

/// <summary>Options shared by commands that load a model.</summary>
public static class ModelOptions
{
    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Model directory (HF layout), Hugging Face cache folder, or cached hub id (org/name[@revision]).",
        Required = true,
    };

    public static Option<bool?> PrependBos() => new("--prepend-bos")
    {
        Description = "Prepend the BOS token (true/false); default follows the tokenizer (GPT-2: no, Gemma/Llama: yes).",
    };

    public static TransformerModel Load(string model, CliIO io)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var loaded = ModelLoader.Load(model);
        io.Note($"loaded {loaded.Name} ({loaded.Spec.Architecture}, {loaded.Spec.Layers} layers, d_model {loaded.Spec.DModel}, {loaded.Spec.WeightDType}) in {sw.Elapsed.TotalSeconds:F1} s");
        return loaded;
    }
}
