namespace CircuitInsights.Transcoders;

/// <summary>
/// Active features of one layer for every row (row = b·T + t), compressed-sparse-row: features of row r are
/// <c>Features[RowStart[r]..RowStart[r+1]]</c> with activations in <see cref="Values"/>, ascending by feature index.
/// </summary>
public sealed class SparseFeatures
{
    public int Rows { get; }
    public int[] RowStart { get; }
    public int[] Features { get; }
    public float[] Values { get; }

    public SparseFeatures(int[] rowStart, int[] features, float[] values)
    {
        Rows = rowStart.Length - 1; RowStart = rowStart; Features = features; Values = values;
    }

    /// <summary>Builds from dense activations [rows, K] (zeros dropped).</summary>
    public static SparseFeatures FromDense(ReadOnlySpan<float> dense, int rows, int width)
    {
        var start = new int[rows + 1];
        var feats = new List<int>();
        var vals = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * width, width);
            for (int f = 0; f < width; f++)
                if (row[f] != 0f) { feats.Add(f); vals.Add(row[f]); }
            start[r + 1] = feats.Count;
        }
        return new SparseFeatures(start, feats.ToArray(), vals.ToArray());
    }

    public int Count(int row) => RowStart[row + 1] - RowStart[row];

    public ReadOnlySpan<int> FeaturesOf(int row) => Features.AsSpan(RowStart[row], Count(row));

    public ReadOnlySpan<float> ValuesOf(int row) => Values.AsSpan(RowStart[row], Count(row));

    /// <summary>Activation of a feature at a row (0 if inactive).</summary>
    public float Get(int row, int feature)
    {
        int i = FeaturesOf(row).BinarySearch(feature);
        return i >= 0 ? ValuesOf(row)[i] : 0f;
    }

    public int TotalActive => Features.Length;
}
