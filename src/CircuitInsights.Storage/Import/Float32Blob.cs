namespace CircuitInsights.Storage.Import;

/// <summary>Per-token activations are stored as BLOBs of little-endian IEEE float32, one per position (docs/store.md).</summary>
public static class Float32Blob
{
    public static byte[] Encode(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 4 != 0) throw new CircuitInsightsException($"float32 blob of {bytes.Length} bytes is not a multiple of 4");
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        return values;
    }
}
