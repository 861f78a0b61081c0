using CircuitInsights.Tensors;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Demo;

/// <summary>
/// Builds the demo model's weights and ground truth deterministically from a seed: embeddings and heads by construction
/// (<see cref="DemoLayout"/>), then layer by layer the transcoder (planted + background features) whose biases are
/// calibrated on real and generated text with the model built so far, and the MLP that computes it (GELU(β·)/β ≈ ReLU,
/// plus 32 neurons the transcoder does not model, so error nodes are small but real).
/// </summary>
internal sealed class DemoModelBuilder
{
    const int D = DemoLayout.DModel, K = DemoLayout.Width, F = DemoLayout.MlpWidth, L = DemoLayout.Layers, Dh = DemoLayout.HeadDim;
    const float BackgroundRate = 0.04f;

    readonly Random _rng;
    readonly ITokenizer _tokenizer;
    readonly Dictionary<string, int[]> _sets;
    readonly Dictionary<int, HashSet<string>> _setsOfToken = new();
    readonly DemoWeights _w = new();
    readonly int[][] _layerIndex; // planted feature indices per layer, in plan order
    readonly Dictionary<string, (int Layer, int Index, float Margin)> _placed = new();
    readonly int _seed;

    public DemoModelBuilder(int seed)
    {
        _seed = seed;
        _rng = new Random(seed);
        _tokenizer = Gpt2TokenizerFiles.Load();
        _sets = DemoTokenSets.Resolve(_tokenizer);
        foreach (var (name, ids) in _sets)
            foreach (int id in ids)
            {
                if (!_setsOfToken.TryGetValue(id, out var s)) _setsOfToken[id] = s = [];
                s.Add(name);
            }
        // Spread the planted features over each layer's index range.
        _layerIndex = new int[L][];
        for (int l = 0; l < L; l++)
        {
            int n = DemoPlans.All.Count(p => p.Layer == l);
            _layerIndex[l] = Enumerable.Range(0, K).OrderBy(_ => _rng.Next()).Take(n).Order().ToArray();
        }
    }

    public DemoWeights Weights => _w;

    public DemoManifest Build()
    {
        BuildEmbeddings();
        BuildAttention();
        var calibration = CalibrationBatch();
        for (int l = 0; l < L; l++) BuildLayer(l, calibration);
        var heads = MeasureHeads(calibration);
        return Manifest(heads);
    }

    // ---------------------------------------------------------------- embeddings and attention

    void BuildEmbeddings()
    {
        var wte = _w["wte.weight"];
        for (int v = 0; v < DemoLayout.Vocab; v++)
        {
            for (int i = 0; i < DemoLayout.NoiseDims; i++) wte[v * D + i] = (float)(Normal() * DemoLayout.TokenNoise);
            if (_setsOfToken.TryGetValue(v, out var sets))
                foreach (var s in sets) wte[v * D + DemoTokenSets.Direction[s]] += DemoLayout.SetAmplitude;
        }
        var wpe = _w["wpe.weight"];
        for (int p = 0; p < DemoLayout.Positions; p++)
        {
            for (int i = 0; i < DemoLayout.NoiseDims; i++) wpe[p * D + i] = (float)(Normal() * 0.02);
            for (int j = 0; j < DemoLayout.PositionPeriods.Length; j++)
            {
                double w = 2 * Math.PI / DemoLayout.PositionPeriods[j];
                wpe[p * D + DemoLayout.PositionCode + 2 * j] = (float)(DemoLayout.PositionAmplitude * Math.Cos(w * p));
                wpe[p * D + DemoLayout.PositionCode + 2 * j + 1] = (float)(DemoLayout.PositionAmplitude * Math.Sin(w * p));
            }
        }
    }

    /// <summary>Layers 0 and 2 and head 1.3 get small random attention; heads 1.0–1.2 attend to the previous token and copy
    /// the river / weekday / number detectors' outputs into their own directions.</summary>
    void BuildAttention()
    {
        for (int l = 0; l < L; l++)
        {
            var qkv = _w[$"h.{l}.attn.c_attn.weight"];
            var proj = _w[$"h.{l}.attn.c_proj.weight"];
            for (int i = 0; i < qkv.Length; i++) qkv[i] = (float)(Normal() * 0.02);
            for (int i = 0; i < proj.Length; i++) proj[i] = (float)(Normal() * 0.02);
        }
        var q = _w["h.1.attn.c_attn.weight"];
        var o = _w["h.1.attn.c_proj.weight"];
        const float sharpness = 5f;
        (int Source, int Target)[] copies = [(DemoLayout.RiverOut, DemoLayout.AfterRiver), (DemoLayout.WeekdayOut, DemoLayout.AfterWeekday), (DemoLayout.NumberOut, DemoLayout.AfterNumber)];
        for (int h = 0; h < copies.Length; h++)
        {
            int qCol = h * Dh, kCol = D + h * Dh, vCol = 2 * D + h * Dh;
            for (int r = 0; r < D; r++)
                for (int c = 0; c < Dh; c++) { q[r * 3 * D + qCol + c] = 0; q[r * 3 * D + kCol + c] = 0; q[r * 3 * D + vCol + c] = 0; }
            for (int j = 0; j < DemoLayout.PositionPeriods.Length; j++)
            {
                double w = 2 * Math.PI / DemoLayout.PositionPeriods[j];
                int cx = DemoLayout.PositionCode + 2 * j, sx = cx + 1;
                // q_p = R(−ω)·c(p) so that q_p·k_s = Σ_j cos(ω_j (p − 1 − s)): peaked at s = p − 1.
                q[cx * 3 * D + qCol + 2 * j] = sharpness * (float)Math.Cos(w);
                q[sx * 3 * D + qCol + 2 * j] = sharpness * (float)Math.Sin(w);
                q[cx * 3 * D + qCol + 2 * j + 1] = -sharpness * (float)Math.Sin(w);
                q[sx * 3 * D + qCol + 2 * j + 1] = sharpness * (float)Math.Cos(w);
                q[cx * 3 * D + kCol + 2 * j] = 1f;
                q[sx * 3 * D + kCol + 2 * j + 1] = 1f;
            }
            q[copies[h].Source * 3 * D + vCol] = 1f;
            for (int r = 0; r < Dh; r++)
                for (int c = 0; c < D; c++) o[(h * Dh + r) * D + c] = 0;
            o[(h * Dh) * D + copies[h].Target] = 0.5f;
        }
    }

    // ---------------------------------------------------------------- layers

    void BuildLayer(int layer, CalibrationSet cal)
    {
        var x = MlpInputs(layer, cal); // [rows, D]
        var enc = _w.Encoder[layer];
        var dec = _w.Decoder[layer];
        var bEnc = _w.EncoderBias[layer];
        var plans = DemoPlans.All.Where(p => p.Layer == layer).ToArray();
        var planted = new HashSet<int>(_layerIndex[layer]);
        for (int f = 0; f < K; f++)
        {
            if (planted.Contains(f)) continue;
            // Background feature: random direction in the noise subspace, fires on ~4% of tokens.
            var e = RandomUnit(DemoLayout.NoiseDims);
            var d = RandomUnit(DemoLayout.NoiseDims);
            for (int i = 0; i < DemoLayout.NoiseDims; i++) { enc[i * K + f] = e[i]; dec[f * D + i] = 0.5f * d[i]; }
        }
        // Pre-activations of all features on the calibration rows at once: Z[rows, K] = X[rows, D] · W_enc[D, K].
        var all = new float[cal.Rows * K];
        Gemm.Multiply(MatrixRef.FromF32(x, cal.Rows, D), MatrixRef.FromF32(enc, D, K), all, K);
        var column = new float[cal.Rows];
        int rank = (int)((1 - BackgroundRate) * (cal.Rows - 1));
        for (int f = 0; f < K; f++)
        {
            if (planted.Contains(f)) continue;
            for (int r = 0; r < cal.Rows; r++) column[r] = all[r * K + f];
            bEnc[f] = -OrderStatistic.Select(column, rank);
        }
        for (int n = 0; n < plans.Length; n++)
        {
            var plan = plans[n];
            int f = _layerIndex[layer][n];
            var leak = RandomUnit(DemoLayout.NoiseDims);
            for (int i = 0; i < DemoLayout.NoiseDims; i++) enc[i * K + f] = 0.03f * leak[i];
            foreach (var (dim, weight) in plan.Reads) enc[dim * K + f] = weight;
            var leakOut = RandomUnit(DemoLayout.NoiseDims);
            for (int i = 0; i < DemoLayout.NoiseDims; i++) dec[f * D + i] = 0.03f * leakOut[i];
            foreach (var (dim, weight) in plan.Writes) dec[f * D + dim] = weight;
            var z = Project(x, cal.Rows, f, enc);
            float minPos = float.PositiveInfinity, maxNeg = float.NegativeInfinity;
            for (int r = 0; r < cal.Rows; r++)
            {
                if (cal.IsPadding(r) || cal.Position(r) == 0) continue;
                if (IsPositive(plan, cal, r)) minPos = Math.Min(minPos, z[r]); else maxNeg = Math.Max(maxNeg, z[r]);
            }
            if (!(minPos > maxNeg))
                throw new InvalidOperationException($"demo feature {plan.Name}: calibration contexts are not separable (min positive {minPos}, max negative {maxNeg})");
            bEnc[f] = -(minPos + maxNeg) / 2;
            _placed[plan.Name] = (layer, f, minPos - maxNeg);
        }
        var bDec = _w.DecoderBias[layer];
        for (int i = 0; i < DemoLayout.NoiseDims; i++) bDec[i] = (float)(Normal() * 0.02);
        _w.WriteTranscoderIntoMlp(layer);
        AddDarkNeurons(layer);
    }

    /// <summary>MLP neurons the transcoder does not model (they end up in the error nodes).</summary>
    void AddDarkNeurons(int layer)
    {
        var cfc = _w[$"h.{layer}.mlp.c_fc.weight"];
        var bias = _w[$"h.{layer}.mlp.c_fc.bias"];
        var cproj = _w[$"h.{layer}.mlp.c_proj.weight"];
        for (int f = K; f < F; f++)
        {
            for (int i = 0; i < DemoLayout.NoiseDims; i++)
            {
                cfc[i * F + f] = (float)(Normal() * 0.12);
                cproj[f * D + i] = (float)(Normal() * 0.05);
            }
            bias[f] = -0.5f;
        }
    }

    static float[] Project(float[] x, int rows, int feature, float[] enc)
    {
        var z = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int i = 0; i < D; i++) s += x[r * D + i] * enc[i * K + feature];
            z[r] = (float)s;
        }
        return z;
    }

    bool IsPositive(DemoPlan plan, CalibrationSet cal, int row)
    {
        int token = cal.Token(row), prev = cal.Token(row - 1);
        bool Has(int id, string set) => _setsOfToken.TryGetValue(id, out var s) && s.Contains(set);
        if (plan.PreviousAnyOf is { } any) return any.Any(s => Has(prev, s));
        if (plan.PreviousSet is { } ps && !Has(prev, ps)) return false;
        return plan.InputSet is { } set && Has(token, set);
    }

    // ---------------------------------------------------------------- running the model built so far

    DecoderModel CurrentModel()
    {
        var source = new InMemoryTensorSource("demo (building)");
        foreach (var (name, (data, shape)) in _w.Model) source.AddF32(name, data, shape);
        var spec = DemoModelFiles.Spec();
        return new DecoderModel(spec, Gpt2WeightMap.Load(source, spec));
    }

    float[] MlpInputs(int layer, CalibrationSet cal)
    {
        using var model = CurrentModel();
        var trace = new ActivationTrace([HookPoint.MlpIn(layer)]);
        model.Forward(cal.Batch, new ForwardOptions { Hooks = trace, StopAtLayer = layer + 1, Logits = LogitsMode.None });
        return trace.Get(HookPoint.MlpIn(layer)).Data;
    }

    /// <summary>Mean attention of heads 1.0–1.2 on the previous token (positions ≥ 1).</summary>
    float[] MeasureHeads(CalibrationSet cal)
    {
        using var model = CurrentModel();
        var trace = new ActivationTrace([HookPoint.Pattern(1)]);
        model.Forward(cal.Batch, new ForwardOptions { Hooks = trace, StopAtLayer = 2, Logits = LogitsMode.None });
        var (pattern, shape) = trace.Get(HookPoint.Pattern(1));
        int b = shape[0], h = shape[1], t = shape[2];
        var result = new float[3];
        for (int head = 0; head < 3; head++)
        {
            double sum = 0; int count = 0;
            for (int bi = 0; bi < b; bi++)
                for (int p = 1; p < cal.Batch.Lengths[bi]; p++) { sum += pattern[((bi * h + head) * t + p) * t + p - 1]; count++; }
            result[head] = (float)(sum / count);
        }
        return result;
    }

    // ---------------------------------------------------------------- calibration text

    sealed class CalibrationSet(TokenBatch batch)
    {
        public TokenBatch Batch { get; } = batch;
        public int Rows => Batch.BatchSize * Batch.Positions;
        public int Position(int row) => row % Batch.Positions;
        public bool IsPadding(int row) => Position(row) >= Batch.Lengths[row / Batch.Positions];
        public int Token(int row) => Batch.Ids[row];
    }

    CalibrationSet CalibrationBatch()
    {
        int bos = _tokenizer.BosTokenId ?? 50256;
        var sequences = new List<int[]>();
        var sentences = DemoCorpus.Sentences(600, _seed + 1);
        for (int i = 0; i < sentences.Count; i += 3)
            sequences.Add(Window(bos, string.Concat(sentences.Skip(i).Take(3)), 48));
        foreach (var para in DemoCorpus.BrownParagraphs().Take(160)) sequences.Add(Window(bos, para, 48));
        return new CalibrationSet(new TokenBatch(sequences));
    }

    int[] Window(int bos, string text, int length) => new[] { bos }.Concat(_tokenizer.Encode(text, addBos: false).Take(length - 1)).ToArray();

    // ---------------------------------------------------------------- manifest

    DemoManifest Manifest(float[] headWeights)
    {
        var m = new DemoManifest { Seed = _seed };
        foreach (var (name, setIds) in _sets) m.TokenSets[name] = setIds.Select(id => new TokenEntry(id, _tokenizer.TokenText(id))).ToArray();
        FeatureRef Ref(string name) => new(_placed[name].Layer, _placed[name].Index);
        var prevHead = new Dictionary<string, HeadRef> { ["river"] = new(1, 0, -1), ["weekdays"] = new(1, 1, -1), ["numbers"] = new(1, 2, -1) };
        var detectorOf = new Dictionary<string, string> { ["river"] = "river_detector", ["weekdays"] = "weekday_detector", ["numbers"] = "number_detector" };
        foreach (var plan in DemoPlans.All)
        {
            var upstream = plan.Name switch
            {
                "animal_inherited" or "animal_deep" => new List<FeatureRef> { Ref("animal_detector") },
                "city_promoter" => [Ref("preposition_detector")],
                "affirmation_suppressor" => [Ref("negation_detector")],
                _ => [],
            };
            var heads = plan.PreviousSet is { } ps ? [prevHead[ps]] : plan.PreviousAnyOf?.Select(s => prevHead[s]).ToList() ?? [];
            var circuits = plan.PreviousAnyOf?.Select(s => new PlantedCircuit { Name = $"after_{s}", TriggerSet = s, Upstream = Ref(detectorOf[s]), Head = prevHead[s] }).ToList() ?? [];
            m.Features.Add(new PlantedFeature
            {
                Name = plan.Name, Kind = plan.Kind, Layer = plan.Layer, Index = _placed[plan.Name].Index, Description = plan.Description,
                InputSet = plan.InputSet, PromotedSet = plan.PromotedSet, SuppressedSet = plan.SuppressedSet, Upstream = upstream,
                Heads = heads, Circuits = circuits, WeightExplainable = plan.WeightExplainable, Margin = _placed[plan.Name].Margin,
            });
        }
        string[] copied = ["river_detector", "weekday_detector", "number_detector"];
        for (int h = 0; h < 3; h++)
            m.Heads.Add(new PlantedHead { Layer = 1, Head = h, Role = "previous_token", Copies = copied[h], PreviousTokenWeight = headWeights[h] });
        var bankPrompt = " The cat slept on the muddy bank";
        var ids = _tokenizer.Encode(bankPrompt, addBos: false);
        int bankPos = Array.LastIndexOf(ids, _sets["bank"][0]) + 1; // +1 for BOS
        m.GraphPrompts.Add(new GraphPrompt
        {
            Prompt = bankPrompt, Target = Ref("bank_after_river"), TargetPosition = bankPos,
            Source = Ref("river_detector"), SourcePosition = bankPos - 1,
        });
        return m;
    }

    double Normal()
    {
        double u1 = 1.0 - _rng.NextDouble(), u2 = _rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    float[] RandomUnit(int n)
    {
        var v = new float[n];
        double norm = 0;
        for (int i = 0; i < n; i++) { v[i] = (float)Normal(); norm += v[i] * v[i]; }
        float inv = (float)(1 / Math.Sqrt(norm));
        for (int i = 0; i < n; i++) v[i] *= inv;
        return v;
    }
}
