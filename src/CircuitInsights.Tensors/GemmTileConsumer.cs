namespace CircuitInsights.Tensors;

/// <summary>
/// Receives one tile of a streamed product (see <see cref="Gemm.MultiplyStreaming"/>): the block
/// C[firstRow .. firstRow+rows, firstColumn .. firstColumn+columns), row-major with leading dimension <paramref name="ld"/>.
/// The span is only valid during the call.
/// </summary>
public delegate void GemmTileConsumer(int firstRow, int rows, int firstColumn, int columns, ReadOnlySpan<float> tile, int ld);
