using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests;

public class TranscodersCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    static string TempDir() => CheckpointDirectory.CreateTemp("ci-cli-transcoders");

    [Fact]
    public void Inspect_PchlenskiFolder_PrintsFormatHooksAndFlags()
    {
        string dir = TempDir();
        try
        {
            var rng = new Random(1);
            foreach (int l in new[] { 0, 1, 3 })
                PchlenskiFileWriter.Write(Path.Combine(dir, PchlenskiFileWriter.FileName(l, 16)), TranscoderLayerWeights.Random(rng, l, 8, 16, new() { InputCentering = true }));
            var (code, output, err) = Run("transcoders", "inspect", dir);
            Assert.True(code == 0, err);
            Assert.Contains("format:          pchlenski-pt", output);
            Assert.Contains("reads:           blocks.{L}.ln2.hook_normalized_pre_affine", output);
            Assert.Contains("writes:          blocks.{L}.hook_mlp_out", output);
            Assert.Contains("layers:          0-1,3 (3)", output);
            Assert.Contains("width:           16 features per layer, d_model 8", output);
            Assert.Contains("input centering: yes", output);
            Assert.Contains("output target:   mean-centred", output);
            Assert.Contains("layer 3: ", output);

            (code, output, _) = Run("transcoders", "inspect", dir, "--layers", "1");
            Assert.Equal(0, code);
            Assert.Contains("layers:          1 (1)", output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Inspect_SparsifyWithHookOverride_ShowsTopKAndNote()
    {
        string dir = TempDir();
        try
        {
            SparsifyFileWriter.Write(Path.Combine(dir, "layers.2.mlp"), TranscoderLayerWeights.Random(new Random(2), 2, 8, 16, new() { Skip = true }), 4);
            var (code, output, err) = Run("transcoders", "inspect", Path.Combine(dir, "layers.2.mlp"), "--input-hook", "hook_resid_mid");
            Assert.True(code == 0, err);
            Assert.Contains("activation:      TopK (k = 4", output);
            Assert.Contains("skip:            yes", output);
            Assert.Contains("input hook overridden", output);
            Assert.Contains("also read: ", output); // cfg.json
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Inspect_BadInput_ExitsOneWithOneLine()
    {
        string dir = TempDir();
        try
        {
            var (code, output, err) = Run("transcoders", "inspect", Path.Combine(dir, "missing"));
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Single(err.TrimEnd().Split('\n'));
            Assert.Contains("neither a file or folder nor a known transcoder set", err);

            File.WriteAllText(Path.Combine(dir, "config.yaml"), "feature_input_hook: ln2.hook_normalized\n");
            (code, _, err) = Run("transcoders", "inspect", dir);
            Assert.Equal(1, code);
            Assert.Single(err.TrimEnd().Split('\n'));
            Assert.Contains("feature_output_hook", err);

            (code, _, err) = Run("transcoders", "inspect", dir, "--layers", "x");
            Assert.Equal(1, code);
            Assert.Contains("--layers", err);

            (code, _, err) = Run("transcoders", "inspect", "gpt2", "--hub-cache", dir);
            Assert.Equal(1, code);
            Assert.Contains("not in the local Hugging Face cache", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void List_ShowsCatalogue()
    {
        var (code, output, _) = Run("transcoders", "list");
        Assert.Equal(0, code);
        Assert.Contains("pchlenski/gpt2-transcoders", output);
        Assert.Contains("mntss/skip-transcoder-Llama-3.2-1B-131k-nobos@new-training", output);
        Assert.Contains("hook_resid_mid → mlp.hook_out", output);
    }
}
