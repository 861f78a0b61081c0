using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// Bounded-memory summary of every feature of one layer over a corpus (rows = features):
/// <list type="bullet">
/// <item>position-level counts and exact sums of a and a² (for means, E[a] of TWERA);</item>
/// <item>window-level: number of windows where the feature fires, min and max of the window maxima;</item>
/// <item>the <c>TopK</c> best windows by their max activation (ties: lower window, then position);</item>
/// <item>a uniform sample of <c>Reservoir</c> active windows: the windows with the smallest hash keys
/// (bottom-k sampling), which is deterministic and merges exactly across corpus shards.</item>
/// </list>
/// All updates commute, so results do not depend on batch order, interruption or sharding.
/// </summary>
public sealed class FeatureSketches
{
    public int Layer { get; }
    public int Features { get; }
    public int TopK { get; }
    public int Reservoir { get; }
    readonly int _seed;

    public readonly long[] PositionCount;
    public readonly Int128[] PositionSum, PositionSumSquares;
    public readonly long[] WindowCount;
    public readonly float[] WindowMin, WindowMax;
    // top-k min-heaps (worst at the root)
    public readonly int[] TopCount;
    public readonly float[] TopValue;
    public readonly int[] TopWindow, TopPosition;
    // bottom-k reservoirs: max-heaps on the hash key (largest at the root)
    public readonly int[] ResCount;
    public readonly uint[] ResKey;
    public readonly float[] ResValue;
    public readonly int[] ResWindow, ResPosition;

    public FeatureSketches(int layer, int features, int topK, int reservoir, int seed)
    {
        Layer = layer; Features = features; TopK = topK; Reservoir = reservoir; _seed = seed;
        PositionCount = new long[features]; PositionSum = new Int128[features]; PositionSumSquares = new Int128[features];
        WindowCount = new long[features]; WindowMin = new float[features]; WindowMax = new float[features];
        Array.Fill(WindowMin, float.PositiveInfinity); Array.Fill(WindowMax, float.NegativeInfinity);
        TopCount = new int[features]; TopValue = new float[features * topK]; TopWindow = new int[features * topK]; TopPosition = new int[features * topK];
        ResCount = new int[features]; ResKey = new uint[features * reservoir]; ResValue = new float[features * reservoir];
        ResWindow = new int[features * reservoir]; ResPosition = new int[features * reservoir];
    }

    /// <summary>Bytes held (for the memory estimate printed before a run).</summary>
    public static long EstimateBytes(int features, int topK, int reservoir) => (long)features * (8 * 2 + 16 * 2 + 4 * 2 + 4 + 12L * topK + 4 + 16L * reservoir);

    public void AddPosition(int feature, float activation)
    {
        PositionCount[feature]++;
        PositionSum[feature] += ExactSum.ToFixed(activation);
        PositionSumSquares[feature] += ExactSum.ToFixed((double)activation * activation);
    }

    /// <summary>Records that <paramref name="feature"/> fired in <paramref name="window"/> with maximum <paramref name="value"/> at <paramref name="position"/>.</summary>
    public void AddWindow(int feature, int window, int position, float value)
    {
        WindowCount[feature]++;
        if (value < WindowMin[feature]) WindowMin[feature] = value;
        if (value > WindowMax[feature]) WindowMax[feature] = value;
        OfferTop(feature, value, window, position);
        OfferReservoir(feature, Key(feature, window), value, window, position);
    }

    uint Key(int feature, int window)
    {
        ulong z = (ulong)(uint)_seed * 0x9E3779B97F4A7C15UL ^ (ulong)Layer << 48 ^ (ulong)(uint)feature << 24 ^ (ulong)(uint)window;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)((z ^ (z >> 31)) >> 32);
    }

    // "a is better than b" for the top list: larger value, then smaller window, then smaller position.
    static bool Better(float va, int wa, int pa, float vb, int wb, int pb) => va != vb ? va > vb : wa != wb ? wa < wb : pa < pb;

    void OfferTop(int f, float v, int w, int p)
    {
        int o = f * TopK, n = TopCount[f];
        if (n < TopK)
        {
            int i = n++;
            TopCount[f] = n;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Better(TopValue[o + parent], TopWindow[o + parent], TopPosition[o + parent], v, w, p)) break;
                MoveTop(o, parent, i);
                i = parent;
            }
            SetTop(o, i, v, w, p);
            return;
        }
        if (!Better(v, w, p, TopValue[o], TopWindow[o], TopPosition[o])) return;
        SiftDownTop(o, n, v, w, p);
    }

    void SiftDownTop(int o, int n, float v, int w, int p)
    {
        int i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            float wv = v; int ww = w, wp = p;
            if (l < n && Better(wv, ww, wp, TopValue[o + l], TopWindow[o + l], TopPosition[o + l])) { worst = l; wv = TopValue[o + l]; ww = TopWindow[o + l]; wp = TopPosition[o + l]; }
            if (r < n && Better(wv, ww, wp, TopValue[o + r], TopWindow[o + r], TopPosition[o + r])) worst = r;
            if (worst == i) break;
            MoveTop(o, worst, i);
            i = worst;
        }
        SetTop(o, i, v, w, p);
    }

    void MoveTop(int o, int from, int to) { TopValue[o + to] = TopValue[o + from]; TopWindow[o + to] = TopWindow[o + from]; TopPosition[o + to] = TopPosition[o + from]; }
    void SetTop(int o, int i, float v, int w, int p) { TopValue[o + i] = v; TopWindow[o + i] = w; TopPosition[o + i] = p; }

    // reservoir order: larger (key, window) is "worse" (evicted first)
    static bool Larger(uint ka, int wa, uint kb, int wb) => ka != kb ? ka > kb : wa > wb;

    void OfferReservoir(int f, uint key, float v, int w, int p)
    {
        int o = f * Reservoir, n = ResCount[f];
        if (n < Reservoir)
        {
            int i = n++;
            ResCount[f] = n;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Larger(key, w, ResKey[o + parent], ResWindow[o + parent])) break;
                MoveRes(o, parent, i);
                i = parent;
            }
            SetRes(o, i, key, v, w, p);
            return;
        }
        if (!Larger(ResKey[o], ResWindow[o], key, w)) return;
        int j = 0;
        while (true)
        {
            int l = 2 * j + 1, r = l + 1, largest = j;
            uint lk = key; int lw = w;
            if (l < n && Larger(ResKey[o + l], ResWindow[o + l], lk, lw)) { largest = l; lk = ResKey[o + l]; lw = ResWindow[o + l]; }
            if (r < n && Larger(ResKey[o + r], ResWindow[o + r], lk, lw)) largest = r;
            if (largest == j) break;
            MoveRes(o, largest, j);
            j = largest;
        }
        SetRes(o, j, key, v, w, p);
    }

    void MoveRes(int o, int from, int to) { ResKey[o + to] = ResKey[o + from]; ResValue[o + to] = ResValue[o + from]; ResWindow[o + to] = ResWindow[o + from]; ResPosition[o + to] = ResPosition[o + from]; }
    void SetRes(int o, int i, uint k, float v, int w, int p) { ResKey[o + i] = k; ResValue[o + i] = v; ResWindow[o + i] = w; ResPosition[o + i] = p; }

    /// <summary>The kept best windows of a feature, best first.</summary>
    public (float Value, int Window, int Position)[] Top(int feature)
    {
        int o = feature * TopK;
        return Enumerable.Range(0, TopCount[feature]).Select(i => (TopValue[o + i], TopWindow[o + i], TopPosition[o + i]))
            .OrderByDescending(t => t.Item1).ThenBy(t => t.Item2).ThenBy(t => t.Item3).ToArray();
    }

    /// <summary>The uniform sample of active windows, in key order.</summary>
    public (float Value, int Window, int Position)[] Sample(int feature)
    {
        int o = feature * Reservoir;
        return Enumerable.Range(0, ResCount[feature]).OrderBy(i => ResKey[o + i]).ThenBy(i => ResWindow[o + i])
            .Select(i => (ResValue[o + i], ResWindow[o + i], ResPosition[o + i])).ToArray();
    }

    public double MeanActivation(int feature, long totalPositions) => totalPositions == 0 ? 0 : ExactSum.ToDouble(PositionSum[feature]) / totalPositions;

    /// <summary>Adds another sketch of the same layer (corpus shard) into this one.</summary>
    public void Merge(FeatureSketches other)
    {
        if (other.Features != Features || other.TopK != TopK || other.Reservoir != Reservoir || other.Layer != Layer)
            throw new CircuitInsightsException($"cannot merge caches of layer {other.Layer} with different shapes");
        for (int f = 0; f < Features; f++)
        {
            PositionCount[f] += other.PositionCount[f];
            PositionSum[f] += other.PositionSum[f];
            PositionSumSquares[f] += other.PositionSumSquares[f];
            WindowCount[f] += other.WindowCount[f];
            WindowMin[f] = Math.Min(WindowMin[f], other.WindowMin[f]);
            WindowMax[f] = Math.Max(WindowMax[f], other.WindowMax[f]);
            int ot = f * TopK;
            for (int i = 0; i < other.TopCount[f]; i++) OfferTop(f, other.TopValue[ot + i], other.TopWindow[ot + i], other.TopPosition[ot + i]);
            int orr = f * Reservoir;
            for (int i = 0; i < other.ResCount[f]; i++) OfferReservoir(f, other.ResKey[orr + i], other.ResValue[orr + i], other.ResWindow[orr + i], other.ResPosition[orr + i]);
        }
    }

    // ------------------------------------------------------------------ persistence (safetensors)

    /// <summary>
    /// Puts every heap into a canonical order (sorted; a sorted array is itself a valid heap), so equal sketches are
    /// byte-identical on disk whatever order their updates came in.
    /// </summary>
    void Canonicalize()
    {
        for (int f = 0; f < Features; f++)
        {
            int o = f * TopK, n = TopCount[f];
            var top = Enumerable.Range(0, n).Select(i => (V: TopValue[o + i], W: TopWindow[o + i], P: TopPosition[o + i]))
                .OrderBy(t => t.V).ThenByDescending(t => t.W).ThenByDescending(t => t.P).ToArray(); // worst first (min-heap root)
            for (int i = 0; i < n; i++) SetTop(o, i, top[i].V, top[i].W, top[i].P);
            o = f * Reservoir; n = ResCount[f];
            var res = Enumerable.Range(0, n).Select(i => (K: ResKey[o + i], V: ResValue[o + i], W: ResWindow[o + i], P: ResPosition[o + i]))
                .OrderByDescending(r => r.K).ThenByDescending(r => r.W).ToArray(); // largest first (max-heap root)
            for (int i = 0; i < n; i++) SetRes(o, i, res[i].K, res[i].V, res[i].W, res[i].P);
        }
    }

    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        Canonicalize();
        var w = new SafeTensorsWriter();
        foreach (var (k, v) in metadata) w.Metadata[k] = v;
        w.Metadata["layer"] = Layer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int F = Features;
        w.Add("position_count", PositionCount, [F]);
        w.Add("position_sum_hi", PositionSum.Select(x => (long)(x >> 64)).ToArray(), [F]);
        w.Add("position_sum_lo", PositionSum.Select(x => (long)(ulong)(x & ulong.MaxValue)).ToArray(), [F]);
        w.Add("position_sumsq_hi", PositionSumSquares.Select(x => (long)(x >> 64)).ToArray(), [F]);
        w.Add("position_sumsq_lo", PositionSumSquares.Select(x => (long)(ulong)(x & ulong.MaxValue)).ToArray(), [F]);
        w.Add("window_count", WindowCount, [F]);
        w.Add("window_min", WindowMin, [F]);
        w.Add("window_max", WindowMax, [F]);
        w.Add("top_count", TopCount, [F]);
        w.Add("top_value", TopValue, [F, TopK]);
        w.Add("top_window", TopWindow, [F, TopK]);
        w.Add("top_position", TopPosition, [F, TopK]);
        w.Add("reservoir_count", ResCount, [F]);
        w.Add("reservoir_key", ResKey.Select(k => (long)k).ToArray(), [F, Reservoir]);
        w.Add("reservoir_value", ResValue, [F, Reservoir]);
        w.Add("reservoir_window", ResWindow, [F, Reservoir]);
        w.Add("reservoir_position", ResPosition, [F, Reservoir]);
        w.Write(path);
    }

    public static FeatureSketches Load(string path, int seed)
    {
        using var src = SafeTensorsFile.Open(path);
        var info = src.Tensors.First(t => t.Name == "top_value");
        int F = info.Shape[0], K = info.Shape[1];
        int R = src.Tensors.First(t => t.Name == "reservoir_value").Shape[1];
        int layer = int.Parse(src.Metadata.TryGetValue("layer", out var ls) ? ls : throw new InvalidModelFileException(path, "missing 'layer' metadata"), System.Globalization.CultureInfo.InvariantCulture);
        var s = new FeatureSketches(layer, F, K, R, seed);
        long[] L64(string n) => Raw<long>(src, n, F);
        int[] I32(string n, int count) => Raw<int>(src, n, count);
        float[] F32(string n, int count) => src.Load(n).ToFloatArray() is var a && a.Length == count ? a : throw new InvalidModelFileException(path, $"tensor '{n}' has {a.Length} values, expected {count}");
        L64("position_count").CopyTo(s.PositionCount, 0);
        Combine(L64("position_sum_hi"), L64("position_sum_lo"), s.PositionSum);
        Combine(L64("position_sumsq_hi"), L64("position_sumsq_lo"), s.PositionSumSquares);
        L64("window_count").CopyTo(s.WindowCount, 0);
        F32("window_min", F).CopyTo(s.WindowMin, 0);
        F32("window_max", F).CopyTo(s.WindowMax, 0);
        I32("top_count", F).CopyTo(s.TopCount, 0);
        F32("top_value", F * K).CopyTo(s.TopValue, 0);
        I32("top_window", F * K).CopyTo(s.TopWindow, 0);
        I32("top_position", F * K).CopyTo(s.TopPosition, 0);
        I32("reservoir_count", F).CopyTo(s.ResCount, 0);
        var keys = Raw<long>(src, "reservoir_key", F * R);
        for (int i = 0; i < keys.Length; i++) s.ResKey[i] = (uint)keys[i];
        F32("reservoir_value", F * R).CopyTo(s.ResValue, 0);
        I32("reservoir_window", F * R).CopyTo(s.ResWindow, 0);
        I32("reservoir_position", F * R).CopyTo(s.ResPosition, 0);
        return s;
    }

    static void Combine(long[] hi, long[] lo, Int128[] dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = ((Int128)hi[i] << 64) | (Int128)(ulong)lo[i];
    }

    static T[] Raw<T>(ITensorSource src, string name, int count) where T : unmanaged
    {
        var t = src.Load(name);
        var bytes = t.Raw;
        int size = System.Runtime.InteropServices.Marshal.SizeOf<T>();
        if (bytes.Length != (long)count * size) throw new InvalidModelFileException(src.Location, $"tensor '{name}' has {bytes.Length / Math.Max(1, size)} values, expected {count}");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes.Span).ToArray();
    }
}
