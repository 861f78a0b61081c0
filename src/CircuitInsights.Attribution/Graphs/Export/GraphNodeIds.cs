namespace CircuitInsights.Attribution.Graphs.Export;

/// <summary>
/// Node-id conventions of circuit-tracer's frontend (reference.md §1.4c). Error nodes use the 2026 convention
/// <c>"{layer}_-1_{pos}"</c> (circuit-tracer PR #100/#102, fixing issue #78): the older <c>"0_{layer}_{pos}"</c> collided
/// with feature <c>layer</c> of layer 0. Their jsNodeId is <c>"{layer}_-1_{pos}-0"</c>, likewise collision-free.
/// </summary>
public static class GraphNodeIds
{
    public const string FeatureType = "cross layer transcoder";
    public const string ErrorType = "mlp reconstruction error";
    public const string EmbeddingType = "embedding";
    public const string LogitType = "logit";

    public static string Feature(int layer, int feature, int position) => $"{layer}_{feature}_{position}";
    public static string Error(int layer, int position) => $"{layer}_-1_{position}";
    public static string Embedding(int token, int position) => $"E_{token}_{position}";
    /// <summary>Logit nodes sit one past the last layer: <c>"{layers+1}_{token}_{pos}"</c>.</summary>
    public static string Logit(int layers, int token, int position) => $"{layers + 1}_{token}_{position}";

    /// <summary>Cantor pairing (x + y)(x + y + 1)/2 + y: the frontend's feature number for (layer, feature).</summary>
    public static long Cantor(long x, long y) => (x + y) * (x + y + 1) / 2 + y;
}
