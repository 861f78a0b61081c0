using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>forward</c>: run the model and save logits and requested hook activations to an .npz file.</summary>
public static class ForwardCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var prompt = new Option<string[]>("--prompt", "-p") { Description = "Prompt text (repeat for a batch).", AllowMultipleArgumentsPerToken = false };
        var ids = new Option<string>("--token-ids") { Description = "Token ids instead of a prompt: 1,2,3 (';' separates sequences of a batch)." };
        var hooks = new Option<string>("--hooks") { Description = "Comma-separated hook names to save, e.g. blocks.0.hook_resid_pre,blocks.3.ln2.hook_normalized (see docs/hooks.md)." };
        var bos = ModelOptions.PrependBos();
        var output = new Option<string>("--out", "-o") { Description = "Output .npz: logits [B,T,V] (float32), input_ids and lengths (int64), one array per hook.", Required = true };
        var cmd = new Command("forward", "Run a forward pass and save logits and hook activations (.npz).");
        foreach (var o in new Option[] { model, prompt, ids, hooks, bos, output }) cmd.Options.Add(o);
        cmd.SetAction(pr => Run(pr.GetValue(model)!, pr.GetValue(prompt), pr.GetValue(ids), pr.GetValue(hooks), pr.GetValue(bos), pr.GetValue(output)!, io));
        return cmd;
    }

    static int Run(string modelPath, string[]? prompts, string? tokenIds, string? hookList, bool? bos, string output, CliIO io)
    {
        using var model = ModelOptions.Load(modelPath, io);
        var seqs = TokenInput.Resolve(model, prompts, tokenIds, bos);
        var hookNames = (hookList ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => HookPoint.Parse(h)).ToList();
        foreach (var h in hookNames.Where(h => h.Layer >= model.Spec.Layers))
            throw new CircuitInsightsException($"hook '{h}': layer {h.Layer} does not exist (the model has {model.Spec.Layers} layers)");
        var trace = new ActivationTrace(hookNames);
        var batch = new TokenBatch(seqs, model.Tokenizer.EosTokenId ?? 0);
        var result = model.Decoder.Forward(batch, new ForwardOptions { Hooks = trace });

        var arrays = new List<TensorData>
        {
            TensorData.FromF32("logits", result.LogitsShape, result.Logits!),
            Int64("input_ids", batch.Ids.Select(i => (long)i).ToArray(), [batch.BatchSize, batch.Positions]),
            Int64("lengths", batch.Lengths.Select(i => (long)i).ToArray(), [batch.BatchSize]),
        };
        foreach (var h in hookNames)
        {
            if (!trace.Contains(h.Name)) throw new CircuitInsightsException($"hook '{h}' was not reached by this model (e.g. rotary or post-norm hooks exist only for some architectures)");
            var (data, shape) = trace.Get(h);
            arrays.Add(TensorData.FromF32(h.Name, shape, data));
        }
        string? parent = Path.GetDirectoryName(Path.GetFullPath(output));
        if (parent is not null) Directory.CreateDirectory(parent);
        NpzWriter.Write(output, arrays);
        io.Out.WriteLine($"wrote {output}: logits [{string.Join(", ", result.LogitsShape)}], {hookNames.Count} hook(s)");
        return ExitCodes.Ok;
    }

    static TensorData Int64(string name, long[] values, int[] shape) =>
        TensorData.FromRaw(name, DType.I64, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
