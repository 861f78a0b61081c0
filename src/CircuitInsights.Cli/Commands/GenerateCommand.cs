using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Models;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>generate</c>: greedy continuation of a prompt.</summary>
public static class GenerateCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text.", Required = true };
        var maxNew = new Option<int>("--max-new-tokens", "-n") { Description = "Tokens to generate (greedy).", DefaultValueFactory = _ => 20 };
        var bos = ModelOptions.PrependBos();
        var cmd = new Command("generate", "Greedy text generation.");
        foreach (var o in new Option[] { model, prompt, maxNew, bos }) cmd.Options.Add(o);
        cmd.SetAction(pr => Run(pr.GetValue(model)!, pr.GetValue(prompt)!, pr.GetValue(maxNew), pr.GetValue(bos), io));
        return cmd;
    }

    static int Run(string modelPath, string prompt, int maxNew, bool? bos, CliIO io)
    {
        if (maxNew < 0) throw new CircuitInsightsException("--max-new-tokens must be ≥ 0");
        using var model = ModelOptions.Load(modelPath, io);
        var tokens = model.Encode(prompt, bos).ToList();
        int promptLength = tokens.Count;
        var generated = Generation.Greedy(model.Decoder, tokens.ToArray(), maxNew, model.Tokenizer.EosTokenId);
        io.Out.WriteLine(prompt + model.Tokenizer.Decode(generated[promptLength..]));
        return ExitCodes.Ok;
    }
}
