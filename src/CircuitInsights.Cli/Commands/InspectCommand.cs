using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>inspect &lt;model&gt;</c>: architecture, sizes, tokenizer and every tensor, read from headers only.</summary>
public static class InspectCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "Model directory, HF cache folder or cached hub id." };
        var noTensors = new Option<bool>("--no-tensors") { Description = "Omit the per-tensor table." };
        var cmd = new Command("inspect", "Show a model's architecture, parameter count, tokenizer and tensors (dtype, shape, bytes) without loading weights.");
        cmd.Arguments.Add(model);
        cmd.Options.Add(noTensors);
        cmd.SetAction(pr => Run(pr.GetValue(model)!, !pr.GetValue(noTensors), io));
        return cmd;
    }

    static int Run(string model, bool listTensors, CliIO io)
    {
        var dir = ModelDirectory.Resolve(model);
        var (arch, spec, configPath) = ModelLoader.ReadConfig(dir);
        var o = io.Out;
        o.WriteLine($"model:        {dir}");
        o.WriteLine($"config:       {configPath}");
        o.WriteLine($"architecture: {spec.Architecture} ({arch.GetType().Name})");
        o.WriteLine($"layers {spec.Layers}, d_model {spec.DModel}, heads {spec.Heads} (kv {spec.KvHeads}, head dim {spec.HeadDim}), d_mlp {spec.DMlp}, vocab {spec.Vocab}, positions {spec.MaxPositions}");
        o.WriteLine($"norm {spec.Norm} (eps {spec.NormEps:G3}{(spec.Norm == NormKind.RmsNorm ? $", gain offset {spec.NormGainOffset}" : "")}), mlp {spec.Mlp} {spec.Activation}, positions {spec.Positions}, attention scale {spec.AttentionScale:G4}"
            + (spec.AttentionLogitSoftcap is float a ? $", attention soft-cap {a}" : "") + (spec.FinalLogitSoftcap is float f ? $", final soft-cap {f}" : "")
            + (spec.SlidingWindow is int w ? $", sliding window {w}" : ""));
        try
        {
            var tok = TokenizerLoader.Load(dir.Path);
            o.WriteLine($"tokenizer:    {tok.GetType().Name}, {tok.VocabSize} ids, BOS {tok.BosTokenId?.ToString() ?? "none"} ({(tok.AddsBosByDefault ? "added" : "not added")} by default)");
            (tok as IDisposable)?.Dispose();
        }
        catch (CircuitInsightsException e)
        {
            o.WriteLine($"tokenizer:    unavailable ({e.Message})");
        }

        using var source = TensorSources.Open(dir.Path);
        var tensors = source.Tensors;
        long parameters = tensors.Where(t => DTypesOf(t)).Sum(t => t.ElementCount);
        long bytes = tensors.Sum(t => t.ByteLength);
        var byType = tensors.GroupBy(t => t.DType).Select(g => $"{g.Key}: {g.Count()}");
        o.WriteLine($"weights:      {tensors.Count} tensors, {parameters:N0} parameters, {bytes / 1e6:F1} MB ({string.Join(", ", byType)}) in {tensors.Select(t => t.File).Distinct().Count()} file(s)");

        var expected = arch.ExpectedTensors(spec).ToList();
        var names = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        string prefix = expected.Count > 0 && !names.ContainsKey(expected[0].Name) && names.ContainsKey("transformer." + expected[0].Name) ? "transformer." : "";
        var problems = new List<string>();
        foreach (var (name, shape) in expected)
        {
            if (!names.TryGetValue(prefix + name, out var info)) problems.Add($"missing {prefix + name} (expected [{string.Join(", ", shape)}])");
            else if (!info.Shape.SequenceEqual(shape)) problems.Add($"{prefix + name} has shape {info.ShapeText}, config implies [{string.Join(", ", shape)}]");
        }
        o.WriteLine(problems.Count == 0 ? "check:        all expected tensors present with the shapes the config implies" : $"check:        {problems.Count} problem(s)");
        foreach (var p in problems.Take(20)) o.WriteLine($"  - {p}");

        if (listTensors)
        {
            int width = Math.Max(4, tensors.Max(t => t.Name.Length));
            o.WriteLine();
            o.WriteLine($"{"name".PadRight(width)}  dtype  {"shape",-20}  bytes");
            foreach (var t in tensors) o.WriteLine($"{t.Name.PadRight(width)}  {t.DType,-5}  {t.ShapeText,-20}  {t.ByteLength:N0}");
        }
        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    static bool DTypesOf(TensorInfo t) => Tensors.DTypes.IsKernelFloat(t.DType) && !t.Name.EndsWith(".attn.bias", StringComparison.Ordinal) && !t.Name.EndsWith(".attn.masked_bias", StringComparison.Ordinal);
}
