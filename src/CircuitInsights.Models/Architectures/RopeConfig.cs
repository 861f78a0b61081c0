using CircuitInsights.Formats;

namespace CircuitInsights.Models.Architectures;

/// <summary>
/// Reads rotary-embedding settings from an HF config.json in either spelling: transformers 4.x (<c>rope_theta</c> plus an
/// optional <c>rope_scaling</c> object whose type is <c>rope_type</c> or the legacy <c>type</c>) or transformers 5
/// (<c>rope_parameters</c> holding <c>rope_theta</c>, <c>rope_type</c> and the scaling fields). Supported types:
/// <c>default</c> (plain RoPE) and, where the architecture allows it, <c>llama3</c> (reference.md §2.3). Any other type,
/// and <c>partial_rotary_factor</c> ≠ 1, is rejected with one line naming the key.
/// </summary>
public static class RopeConfig
{
    public static RopeSpec Read(JsonConfig c, int headDim, double defaultTheta, bool allowLlama3)
    {
        double? partial = c.GetOptionalDouble("partial_rotary_factor");
        ConfigObject? scaling = c.GetOptionalObject("rope_scaling");
        ConfigObject? parameters = c.GetOptionalObject("rope_parameters");
        double theta = c.GetDouble("rope_theta", defaultTheta);
        string key = "rope_scaling";
        if (parameters is not null)
        {
            // transformers 5: everything lives in rope_parameters (rope_theta may still be repeated at the top level).
            theta = parameters.GetOptionalDouble("rope_theta") ?? theta;
            partial = parameters.GetOptionalDouble("partial_rotary_factor") ?? partial;
            scaling = parameters;
            key = "rope_parameters";
        }
        if (partial is double pf && pf != 1.0)
            throw new InvalidModelFileException(c.File, $"partial_rotary_factor {pf} is not supported (only 1.0: rotary over the whole head)");
        if (!(theta > 0) || double.IsInfinity(theta))
            throw new InvalidModelFileException(c.File, $"key 'rope_theta': expected a positive number, found {theta}");

        string type = scaling is null ? "default" : scaling.GetOptionalString("rope_type") ?? scaling.GetOptionalString("type") ?? "default";
        switch (type)
        {
            case "default":
                return new RopeSpec(theta, headDim);
            case "llama3" when allowLlama3:
                var s = scaling!;
                var llama3 = new Llama3RopeScaling(
                    s.GetFloat("factor"), s.GetFloat("low_freq_factor"), s.GetFloat("high_freq_factor"),
                    s.GetInt("original_max_position_embeddings"));
                if (!(llama3.Factor > 0) || !(llama3.LowFreqFactor > 0) || !(llama3.HighFreqFactor > llama3.LowFreqFactor) || llama3.OriginalMaxPositions <= 0)
                    throw new InvalidModelFileException(c.File,
                        $"key '{key}': llama3 scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0 " +
                        $"(found {llama3.Factor}, {llama3.LowFreqFactor}, {llama3.HighFreqFactor}, {llama3.OriginalMaxPositions})");
                return new RopeSpec(theta, headDim, llama3);
            default:
                throw new InvalidModelFileException(c.File,
                    $"key '{key}.rope_type': RoPE type '{type}' is not supported (supported: default{(allowLlama3 ? ", llama3" : "")})");
        }
    }
}
