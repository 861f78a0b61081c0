namespace CircuitInsights.Formats;

/// <summary>
/// Gathers an n-dimensional strided view (torch storage + offset + strides, numpy Fortran order) into a contiguous
/// row-major buffer. Strides and offsets are in elements; the caller validates that every index stays inside the source.
/// </summary>
internal static class StridedCopy
{
    /// <summary>True when <paramref name="stride"/> is the row-major (C order) stride of <paramref name="shape"/>
    /// (dimensions of size 1 may have any stride).</summary>
    public static bool IsContiguous(IReadOnlyList<int> shape, IReadOnlyList<long> stride)
    {
        long expected = 1;
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            if (shape[d] == 0) return true;
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /// <summary>Largest element index touched by the view (offset + Σ (size−1)·stride), or -1 for an empty view.</summary>
    public static long MaxIndex(IReadOnlyList<int> shape, IReadOnlyList<long> stride, long offset)
    {
        long max = offset;
        for (int d = 0; d < shape.Count; d++)
        {
            if (shape[d] == 0) return -1;
            max = checked(max + (shape[d] - 1L) * stride[d]);
        }
        return max;
    }

    /// <summary>
    /// destination[row-major index of (i0..in)] = source[offset + Σ i_d·stride_d], for elements of
    /// <paramref name="itemSize"/> bytes.
    /// </summary>
    public static void Gather(ReadOnlySpan<byte> source, int itemSize, IReadOnlyList<int> shape, IReadOnlyList<long> stride, long offset, Span<byte> destination)
    {
        int rank = shape.Count;
        if (rank == 0)
        {
            source.Slice(checked((int)(offset * itemSize)), itemSize).CopyTo(destination);
            return;
        }
        foreach (int s in shape) if (s == 0) return;
        var index = new int[rank];
        long srcElem = offset;
        long dst = 0;
        int inner = shape[rank - 1];
        long innerStride = stride[rank - 1];
        while (true)
        {
            long s = srcElem;
            for (int j = 0; j < inner; j++, s += innerStride, dst += itemSize)
                source.Slice((int)(s * itemSize), itemSize).CopyTo(destination.Slice((int)dst, itemSize));
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                index[d]++;
                srcElem += stride[d];
                if (index[d] < shape[d]) break;
                srcElem -= stride[d] * shape[d];
                index[d] = 0;
            }
            if (d < 0) return;
        }
    }
}
