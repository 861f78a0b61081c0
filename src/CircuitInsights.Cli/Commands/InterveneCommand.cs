using System.CommandLine;
using CircuitInsights.Attribution;
using CircuitInsights.Cli.Common;
using CircuitInsights.Models;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>intervene</c>: set or scale transcoder features and show how the next-token distribution changes (circuit-tracer
/// <c>feature_intervention</c>: attention frozen to the clean run unless --free-attention), and with --generate greedy
/// continuations with the steering applied live at every step (<see cref="SteeringHook"/>).
/// </summary>
public static class InterveneCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var transcoders = TranscoderOptions.Transcoders();
        var transcoderFormat = TranscoderOptions.Format();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text.", Required = true };
        var bos = TranscoderOptions.PrependBos();
        var set = new Option<string[]>("--set") { Description = "Set a feature: LAYER:POS:FEATURE=VALUE (POS negative from the end, * = all positions). Repeatable." };
        var scale = new Option<string[]>("--scale") { Description = "Scale a feature's activation: LAYER:POS:FEATURE=FACTOR. Repeatable." };
        var freeAttention = new Option<bool>("--free-attention") { Description = "Let attention patterns change (default: frozen to the clean run, as circuit-tracer)." };
        var keepBos = new Option<bool>("--keep-bos") { Description = "Do not zero features at position 0." };
        var generate = new Option<int>("--generate") { Description = "Also generate this many tokens greedily, with and without the steering.", DefaultValueFactory = _ => 0 };
        var top = new Option<int>("--top") { Description = "Tokens listed.", DefaultValueFactory = _ => 10 };
        var cmd = new Command("intervene", "Set or scale transcoder features; show next-token probability changes and steered generations.");
        foreach (var o in new Option[] { model, transcoders, transcoderFormat, prompt, bos, set, scale, freeAttention, keepBos, generate, top }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var specs = (pr.GetValue(set) ?? []).Select(s => (Spec: FeatureSpec.Parse(s, "--set"), IsScale: false))
                .Concat((pr.GetValue(scale) ?? []).Select(s => (Spec: FeatureSpec.Parse(s, "--scale"), IsScale: true))).ToList();
            return Run(pr.GetValue(model)!, pr.GetValue(transcoders)!, pr.GetValue(transcoderFormat), pr.GetValue(prompt)!, pr.GetValue(bos), specs,
                pr.GetValue(freeAttention), !pr.GetValue(keepBos), pr.GetValue(generate), pr.GetValue(top), io);
        });
        return cmd;
    }

    static int Run(string modelPath, string transcoderPath, string? transcoderFormat, string prompt, bool? bos, List<(FeatureSpec Spec, bool IsScale)> specs,
        bool freeAttention, bool zeroFirst, int generate, int top, CliIO io)
    {
        if (specs.Count == 0) throw new CircuitInsightsException("give at least one --set or --scale");
        if (generate < 0) throw new CircuitInsightsException("--generate must be ≥ 0");
        if (top < 1) throw new CircuitInsightsException("--top must be ≥ 1");
        using var model = ModelOptions.Load(modelPath, io);
        using var transcoders = TranscoderOptions.Load(transcoderPath, transcoderFormat, io);
        var replacement = new ReplacementModel(model.Decoder, transcoders);
        var tokens = TranscoderOptions.PromptTokens(model, prompt, bos);
        int T = tokens.Length, V = model.Spec.Vocab;
        foreach (var (s, _) in specs)
        {
            if (!transcoders.Has(s.Layer)) throw new CircuitInsightsException($"feature {s.Layer}:{s.Feature}: no transcoder at layer {s.Layer} (set covers {string.Join(", ", transcoders.Layers)})");
            if (s.Feature >= transcoders.Width) throw new CircuitInsightsException($"feature {s.Layer}:{s.Feature}: outside [0, {transcoders.Width})");
        }

        // Frozen next-token comparison: resolve positions and scales against the clean activations.
        var clean = replacement.Run(TokenBatch.Single(tokens), new ReplacementOptions { ZeroFirstPosition = zeroFirst, Logits = LogitsMode.None });
        var interventions = new List<FeatureIntervention>();
        foreach (var (s, isScale) in specs)
            foreach (int p in s.Positions(T, isScale ? "--scale" : "--set"))
            {
                float a = clean.Layers[s.Layer].Active.Get(p, s.Feature);
                interventions.Add(new FeatureIntervention(s.Layer, p, s.Feature, isScale ? s.Number * a : s.Number));
            }
        var result = Interventions.Run(replacement, tokens, interventions, new InterventionOptions { FreezeAttention = !freeAttention, ZeroFirstPosition = zeroFirst });
        var before = LastProbabilities(result.Clean.Forward.Logits!, T, V);
        var after = LastProbabilities(result.Intervened.Forward.Logits!, T, V);

        var o = io.Out;
        o.WriteLine($"prompt: {T} tokens; {interventions.Count} feature edit(s); attention {(freeAttention ? "free" : "frozen to the clean run")}");
        foreach (var iv in interventions.Take(20))
            o.WriteLine($"  layer {iv.Layer} pos {iv.Position} ({Quote(TokenText(model, tokens[iv.Position]))}) feature {iv.Feature}: {clean.Layers[iv.Layer].Active.Get(iv.Position, iv.Feature):G4} -> {iv.Value:G4}");
        if (interventions.Count > 20) o.WriteLine($"  … and {interventions.Count - 20} more");
        o.WriteLine($"next token after {Quote(TokenText(model, tokens[^1]))}:");
        o.WriteLine($"  {"token",-20} {"before",9} {"after",9} {"change",9}");
        var changed = Enumerable.Range(0, V).OrderByDescending(v => Math.Abs(after[v] - before[v])).ThenBy(v => v).Take(top);
        foreach (int v in changed)
            o.WriteLine($"  {Quote(TokenText(model, v)),-20} {before[v],9:F4} {after[v],9:F4} {after[v] - before[v],9:+0.0000;-0.0000}");
        o.WriteLine($"top before: {TopList(model, before, 5)}");
        o.WriteLine($"top after:  {TopList(model, after, 5)}");

        if (generate > 0)
        {
            var steers = specs.Select(x => new FeatureSteer(x.Spec.Layer, x.Spec.Position, x.Spec.Feature,
                x.IsScale ? null : x.Spec.Number, x.IsScale ? x.Spec.Number : null)).ToList();
            int? eos = model.Tokenizer.EosTokenId;
            var plain = Generation.Greedy(model.Decoder, tokens, generate, eos);
            var steered = Generation.Greedy(model.Decoder, tokens, generate, eos,
                new ForwardOptions { Hooks = new SteeringHook(transcoders, steers, zeroFirst) });
            o.WriteLine($"greedy ({generate} tokens; steering live at every step, attention free):");
            o.WriteLine($"  clean:   {Quote(prompt + model.Tokenizer.Decode(plain[T..]))}");
            o.WriteLine($"  steered: {Quote(prompt + model.Tokenizer.Decode(steered[T..]))}");
        }
        return ExitCodes.Ok;
    }

    static float[] LastProbabilities(float[] logits, int T, int V)
    {
        var p = logits.AsSpan((T - 1) * V, V).ToArray();
        Softmax.InPlace(p, V);
        return p;
    }

    static string TopList(TransformerModel model, float[] p, int k)
    {
        var idx = new int[k];
        var val = new float[k];
        int n = TopK.Largest(p, k, idx, val);
        return string.Join(", ", Enumerable.Range(0, n).Select(i => $"{Quote(TokenText(model, idx[i]))} {val[i]:F3}"));
    }

    static string TokenText(TransformerModel model, int id)
    {
        try { return model.Tokenizer.TokenText(id); }
        catch (CircuitInsightsException) { return $"<{id}>"; }
    }

    static string Quote(string s) => "\"" + s.Replace("\n", "\\n").Replace("\"", "\\\"") + "\"";
}
