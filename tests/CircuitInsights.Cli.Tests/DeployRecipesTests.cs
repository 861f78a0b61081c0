using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CircuitInsights.Cli.Tests;

/// <summary>The scale-out recipes in deploy/ stay in step with the CLI: every subcommand they call exists and accepts the
/// options they pass, the YAML parses, and the shell scripts pass <c>bash -n</c>.</summary>
public partial class DeployRecipesTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CircuitInsights.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static string Deploy => Path.Combine(Root(), "deploy");

    [GeneratedRegex(@"(?:circuit-insights\.dll|\$CI)\s+([a-z-]+)((?:\s+--[a-z-]+)*)")]
    private static partial Regex Invocation();

    [GeneratedRegex(@"--([a-z-]+)")]
    private static partial Regex OptionName();

    /// <summary>Asserts the subcommand exists and knows every option named after it in <paramref name="call"/>.</summary>
    static void AssertKnown(string file, string command, IEnumerable<string> options)
    {
        var o = new StringWriter();
        int code = CliApp.Run([command, "--help"], o, new StringWriter());
        Assert.True(code == 0, $"{file}: unknown command '{command}'");
        foreach (var option in options)
            Assert.True(o.ToString().Contains("--" + option), $"{file}: '{command}' has no option --{option}");
    }

    [Fact]
    public void KubernetesManifests_ParseAndCallExistingCommands()
    {
        var files = Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file)) yaml.Load(reader);
            var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
            var containers = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["spec"])["template"])["spec"])["containers"];
            foreach (YamlMappingNode c in containers)
            {
                var args = ((YamlSequenceNode)c["args"]).Select(a => ((YamlScalarNode)a).Value!).ToList();
                if (c.Children.ContainsKey("command"))
                {
                    var m = Invocation().Match(string.Join(" ", args));
                    Assert.True(m.Success, $"{file}: no circuit-insights call in {string.Join(" ", args)}");
                    AssertKnown(file, m.Groups[1].Value, OptionName().Matches(string.Join(" ", args)).Select(x => x.Groups[1].Value));
                }
                else AssertKnown(file, args[0], args.Skip(1).Select(a => OptionName().Match(a)).Where(x => x.Success).Select(x => x.Groups[1].Value));
            }
        }
    }

    [Fact]
    public void SlurmScripts_PassBashSyntaxCheckAndCallExistingCommands()
    {
        var files = Directory.GetFiles(Path.Combine(Deploy, "slurm"));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            using (var bash = Process.Start(new ProcessStartInfo("bash", ["-n", file]) { RedirectStandardError = true })!)
            {
                string err = bash.StandardError.ReadToEnd();
                bash.WaitForExit();
                Assert.True(bash.ExitCode == 0, $"{file}: {err}");
            }
            string text = File.ReadAllText(file).Replace("\\\n", " ");
            foreach (Match m in Invocation().Matches(text))
            {
                string line = text[m.Index..].Split('\n')[0];
                AssertKnown(file, m.Groups[1].Value, OptionName().Matches(line).Select(x => x.Groups[1].Value));
            }
        }
    }
}
