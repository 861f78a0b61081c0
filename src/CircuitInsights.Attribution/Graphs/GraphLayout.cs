namespace CircuitInsights.Attribution.Graphs;

/// <summary>Node counts of a graph in matrix order: features, error nodes, embeddings (tokens), logits.</summary>
public readonly record struct GraphLayout(int Features, int Errors, int Tokens, int Logits)
{
    public int Size => Features + Errors + Tokens + Logits;
    public int ErrorOffset => Features;
    public int TokenOffset => Features + Errors;
    public int LogitOffset => Features + Errors + Tokens;
}
