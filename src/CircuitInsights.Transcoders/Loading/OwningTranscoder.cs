using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>A transcoder whose weight views point into files it keeps open (disposed with it).</summary>
internal sealed class OwningTranscoder : Transcoder
{
    readonly IDisposable _owner;

    public OwningTranscoder(IDisposable owner, int layer, MatrixRef encoder, float[] encoderBias, MatrixRef[] decoders, float[]? decoderBias,
        TranscoderActivation activation, float[]? threshold, int? topK, float[]? inputCentering, MatrixRef? skip)
        : base(layer, encoder, encoderBias, decoders, decoderBias, activation, threshold, topK, inputCentering, skip) => _owner = owner;

    protected override void DisposeResources() => _owner.Dispose();
}
