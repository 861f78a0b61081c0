namespace CircuitInsights.Transcoders;

/// <summary>Nonlinearity applied to encoder pre-activations.</summary>
public enum TranscoderActivation
{
    /// <summary>a = max(pre, 0) (pchlenski GPT-2, mntss ReLU sets).</summary>
    Relu,
    /// <summary>a = pre · 1[pre &gt; θ] with a per-feature threshold θ (Gemma Scope; strict &gt;).</summary>
    JumpRelu,
    /// <summary>Keep the k largest pre-activations per position (ReLU applied to them), zero the rest.</summary>
    TopK,
}
