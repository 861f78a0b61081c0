using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>A transcoder whose weight views point into files it keeps open (disposed with it).</summary>
internal sealed class OwningTranscoder : Transcoder
{
    readonly IDisposable _owner;

    OwningTranscoder(IDisposable owner, int layer, MatrixRef encoder, float[] encoderBias, MatrixRef[] decoders, float[]? decoderBias,
        TranscoderActivation activation, float[]? threshold, int? topK, float[]? inputCentering, MatrixRef? skip)
        : base(layer, encoder, encoderBias, decoders, decoderBias, activation, threshold, topK, inputCentering, skip) => _owner = owner;

    /// <summary>
    /// Builds the transcoder; a shape inconsistency the loader did not catch becomes an
    /// <see cref="InvalidModelFileException"/> naming <paramref name="file"/> instead of an ArgumentException.
    /// Does not dispose <paramref name="owner"/> on failure (the caller does).
    /// </summary>
    public static OwningTranscoder Create(string file, IDisposable owner, int layer, MatrixRef encoder, float[] encoderBias, MatrixRef[] decoders,
        float[]? decoderBias, TranscoderActivation activation, float[]? threshold = null, int? topK = null, float[]? inputCentering = null, MatrixRef? skip = null)
    {
        try
        {
            return new OwningTranscoder(owner, layer, encoder, encoderBias, decoders, decoderBias, activation, threshold, topK, inputCentering, skip);
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelFileException(file, e.Message, e);
        }
    }

    protected override void DisposeResources() => _owner.Dispose();
}

/// <summary>Disposes several owners together (a cross-layer transcoder keeps its encoder and decoder files open).</summary>
internal sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
{
    public void Dispose()
    {
        foreach (var i in items) i.Dispose();
    }
}
