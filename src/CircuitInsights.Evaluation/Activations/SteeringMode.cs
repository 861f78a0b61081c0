namespace CircuitInsights.Evaluation.Activations;

/// <summary>How a modification factor m changes a feature during steered generation (FADE <c>hooks.py</c>).</summary>
public enum SteeringMode
{
    /// <summary>a → m·a at every position (FADE's neuron mode; the definition). Inactive positions stay inactive.</summary>
    Multiply,
    /// <summary>a → m·a_max at every position, a_max = largest natural activation (FADE's SAE mode).</summary>
    ClampToMax,
}
