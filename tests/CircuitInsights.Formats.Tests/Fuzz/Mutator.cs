using System.Buffers.Binary;

namespace CircuitInsights.Formats.Tests;

/// <summary>
/// Seeded byte-level mutations of valid files: bit flips, interesting byte values, truncation, insertion, deletion,
/// chunk duplication, and overwriting little-endian length fields (1/2/4/8 bytes) with boundary values. Text mode adds
/// structural characters (brackets, quotes, colons, newlines, YAML anchors).
/// </summary>
public static class Mutator
{
    static readonly long[] Interesting = [0, 1, -1, 2, 7, 8, 63, 64, 127, 128, 255, 256, 4095, 65535, 65536, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 100_000_001, 1L << 31, 1L << 32, 1L << 40];
    static readonly byte[] TextTokens = "{}[](),:\"'\\\n\t -#&*!|>?%@`0123456789.eE+truefalsenull~"u8.ToArray();

    public static byte[] Mutate(byte[] seed, Random rng, bool text = false)
    {
        var data = new List<byte>(seed);
        int count = 1 + rng.Next(3);
        for (int m = 0; m < count; m++) MutateOnce(data, rng, text);
        return data.ToArray();
    }

    static void MutateOnce(List<byte> d, Random rng, bool text)
    {
        int op = rng.Next(text ? 9 : 8);
        if (d.Count == 0) op = 3;
        switch (op)
        {
            case 0: // bit flips
                for (int i = 0, n = 1 + rng.Next(8); i < n; i++) { int p = rng.Next(d.Count); d[p] ^= (byte)(1 << rng.Next(8)); }
                break;
            case 1: // interesting byte
                d[rng.Next(d.Count)] = (byte)(rng.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                break;
            case 2: // truncate
            {
                int keep = rng.Next(d.Count);
                d.RemoveRange(keep, d.Count - keep);
                break;
            }
            case 3: // insert random bytes
            {
                var ins = new byte[1 + rng.Next(16)];
                rng.NextBytes(ins);
                d.InsertRange(rng.Next(d.Count + 1), ins);
                break;
            }
            case 4: // delete a range
            {
                int at = rng.Next(d.Count), n = Math.Min(d.Count - at, 1 + rng.Next(16));
                d.RemoveRange(at, n);
                break;
            }
            case 5: // duplicate a chunk
            {
                int at = rng.Next(d.Count), n = Math.Min(d.Count - at, 1 + rng.Next(64));
                d.InsertRange(rng.Next(d.Count + 1), d.GetRange(at, n));
                break;
            }
            case 6: // length-field edit
            case 7:
            {
                int width = 1 << rng.Next(4);
                if (d.Count < width) break;
                int at = rng.Next(d.Count - width + 1);
                long v = rng.Next(3) == 0 ? d[at] + rng.Next(-4, 5) : Interesting[rng.Next(Interesting.Length)];
                Span<byte> b = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(b, v);
                for (int i = 0; i < width; i++) d[at + i] = b[i];
                break;
            }
            case 8: // structural text token
                for (int i = 0, n = 1 + rng.Next(4); i < n; i++) d.Insert(rng.Next(d.Count + 1), TextTokens[rng.Next(TextTokens.Length)]);
                break;
        }
    }
}
