using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens;

/// <summary>What WeightLens reads: the decoder (W_E, W_U and the forward pass for validation), its tokenizer and the
/// transcoder set. The caller keeps ownership (nothing is disposed here).</summary>
public sealed class WeightLensModel
{
    public DecoderModel Decoder { get; }
    public ITokenizer Tokenizer { get; }
    public TranscoderSet Transcoders { get; }
    /// <summary>Short name for reports.</summary>
    public string Name { get; }

    public WeightLensModel(DecoderModel decoder, ITokenizer tokenizer, TranscoderSet transcoders, string name)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(transcoders);
        var spec = decoder.Spec;
        foreach (var t in transcoders.All)
        {
            if (t.Layer >= spec.Layers) throw new CircuitInsightsException($"transcoder for layer {t.Layer}, but the model has {spec.Layers} layers");
            if (t.DModel != spec.DModel || t.DOut != spec.DModel)
                throw new CircuitInsightsException($"transcoder layer {t.Layer} maps {t.DModel}→{t.DOut}, but the model's d_model is {spec.DModel}");
        }
        if (decoder.Weights.TokenEmbedding.Rows != decoder.Weights.UnembedRaw.Cols)
            throw new CircuitInsightsException($"embedding has {decoder.Weights.TokenEmbedding.Rows} rows but the unembedding {decoder.Weights.UnembedRaw.Cols} columns");
        Decoder = decoder; Tokenizer = tokenizer; Transcoders = transcoders; Name = name;
    }

    public string Architecture => Decoder.Spec.Architecture;
    public int Vocab => Decoder.Weights.TokenEmbedding.Rows;
    public int Width => Transcoders.Width;
    public IReadOnlyCollection<int> Layers => Transcoders.Layers;

    /// <summary>Earlier transcoder layers of <paramref name="layer"/>, ascending.</summary>
    public int[] EarlierLayers(int layer) => Transcoders.Layers.Where(l => l < layer).ToArray();

    /// <summary>The text of one token as the tokenizer decodes it alone (HF <c>tokenizer.decode(id)</c>).</summary>
    public string TokenString(int id)
    {
        try { return Tokenizer.Decode([id]); }
        catch (CircuitInsightsException) { return $"<unk:{id}>"; }
        catch (ArgumentException) { return $"<unk:{id}>"; }
    }

    /// <summary>The authors' string → id rule: the last id of <c>tokenizer(text).input_ids</c> (with the tokenizer's
    /// default BOS handling); null when the text encodes to nothing.</summary>
    public int? LastTokenId(string text)
    {
        var ids = Tokenizer.Encode(text, addBos: null);
        return ids.Length == 0 ? null : ids[^1];
    }
}
