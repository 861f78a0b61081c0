using CircuitInsights.WeightLens.Projection;
using CircuitInsights.WeightLens.Validation;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Description;

/// <summary>
/// Builds the descriptions of one layer's features once every upstream description is known (layers are described in
/// ascending order because descriptions are inherited). Per-token validation reads every activation from an
/// <see cref="ActivationCache"/> filled by batched sweeps; the authors' mode measures inherited descriptions, the final
/// description and the soft description as one sequence each, in two batched rounds per layer.
/// </summary>
internal sealed class LayerDescriber
{
    readonly WeightLensModel _model;
    readonly WeightLensOptions _options;
    readonly ActivationProbe _probe;
    readonly Dictionary<string, int?> _ids = new(StringComparer.Ordinal);
    readonly int _firstLayer;

    public LayerDescriber(WeightLensModel model, WeightLensOptions options, ActivationProbe probe)
    {
        _model = model; _options = options; _probe = probe;
        _firstLayer = model.Layers.Min();
        ValidationBos = options.ValidationBosId ?? model.Tokenizer.BosTokenId;
        SequenceBos = options.SequenceBosId switch
        {
            null => WeightLensPresets.IsGpt2(model.Architecture) ? null : model.Tokenizer.BosTokenId,
            < 0 => null,
            int b => b,
        };
        Policy = options.Inheritance == InheritancePolicy.Auto
            ? WeightLensPresets.IsGpt2(model.Architecture) ? InheritancePolicy.FirstLayer : InheritancePolicy.AllLayers
            : options.Inheritance;
    }

    /// <summary>BOS of single-token validation sequences (null: none).</summary>
    public int? ValidationBos { get; }
    /// <summary>BOS of the authors' multi-token sequences (null: none).</summary>
    public int? SequenceBos { get; }
    /// <summary>The resolved inheritance policy.</summary>
    public InheritancePolicy Policy { get; }

    /// <summary>Whether a feature of <paramref name="layer"/> inherits from contributors of <paramref name="fromLayer"/>.</summary>
    public bool Inherits(int fromLayer, int layer) => fromLayer < layer && (Policy != InheritancePolicy.FirstLayer || fromLayer == _firstLayer);

    /// <summary>The highest layer a feature of <paramref name="layer"/> inherits from (−1: none).</summary>
    public int LastInheritedLayer(int layer) =>
        Policy == InheritancePolicy.FirstLayer ? (_firstLayer < layer ? _firstLayer : -1) : _model.EarlierLayers(layer).DefaultIfEmpty(-1).Max();

    /// <summary>Token id used for a description string (the authors' <c>tokenizer(x).input_ids[-1]</c>).</summary>
    public int? IdOf(string token)
    {
        lock (_ids)
        {
            if (!_ids.TryGetValue(token, out var id)) _ids[token] = id = _model.LastTokenId(token);
            return id;
        }
    }

    /// <summary>Single-token activations needed to describe <paramref name="analyses"/> of <paramref name="layer"/>
    /// per token: own positive tokens, plus (per-token mode) every string of every inherited upstream description.</summary>
    public IEnumerable<(int Layer, int Token, int Feature)> Needs(int layer, IEnumerable<FeatureAnalysis> analyses, Func<FeatureId, string[]?>? upstream)
    {
        foreach (var a in analyses)
        {
            foreach (var t in a.InputPositive) yield return (layer, t.TokenId, a.Feature.Index);
            if (upstream is null || _options.Validation != ValidationMode.PerToken) continue;
            foreach (var u in a.Upstream)
            {
                if (!Inherits(u.FromLayer, layer) || upstream(new FeatureId(u.FromLayer, u.FromIndex)) is not { } desc) continue;
                foreach (string s in desc)
                    if (IdOf(s) is int id) yield return (layer, id, a.Feature.Index);
            }
        }
    }

    /// <summary>Describes <paramref name="analyses"/> (all of layer <paramref name="layer"/>); <paramref name="cache"/> must hold
    /// every activation of <see cref="Needs"/>.</summary>
    public FeatureRecord[] Describe(int layer, IReadOnlyList<FeatureAnalysis> analyses, ActivationCache cache, Func<FeatureId, string[]?> upstream)
    {
        int n = analyses.Count;
        var drafts = new DescriptionDraft[n];
        var own = new float[n][];
        var inherited = new List<string[]>[n];
        for (int i = 0; i < n; i++)
        {
            var a = analyses[i];
            own[i] = a.InputPositive.Select(t => cache.Get(layer, t.TokenId, a.Feature.Index)).ToArray();
            drafts[i] = new DescriptionDraft();
            drafts[i].AddOwn(a.InputPositive.Select(t => _model.TokenString(t.TokenId)).ToArray(), own[i]);
            inherited[i] = RecordBuilder.SortedUpstream(a)
                .Where(u => Inherits(u.FromLayer, layer))
                .Select(u => upstream(new FeatureId(u.FromLayer, u.FromIndex)))
                .Where(d => d is not null).Select(d => d!).ToList();
        }

        var results = new DescriptionResult[n];
        if (_options.Validation == ValidationMode.PerToken)
        {
            for (int i = 0; i < n; i++)
            {
                int feature = analyses[i].Feature.Index;
                foreach (var desc in inherited[i])
                    drafts[i].AddInherited(desc, desc.Select(s => IdOf(s) is int id ? cache.Get(layer, id, feature) : 0f).ToArray());
                results[i] = drafts[i].Finish(new PerTokenValidator(drafts[i]));
            }
        }
        else
        {
            // round 1: every inherited description as one sequence, read at THIS feature
            var round1 = new List<ProbeSequence>();
            var owners1 = new List<(int Feature, int List, int[] Slots)>();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < inherited[i].Count; j++)
                    AddSequences(round1, owners1, (i, j), inherited[i][j], layer, analyses[i].Feature.Index);
            var acts1 = Collect(_probe.Run(round1), owners1, inherited.Select(l => l.Count).ToArray(),
                (i, j) => inherited[i][j].Length);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < inherited[i].Count; j++) drafts[i].AddInherited(inherited[i][j], acts1[i][j]);

            // round 2: the final description and the soft description as one sequence each
            var round2 = new List<ProbeSequence>();
            var owners2 = new List<(int Feature, int List, int[] Slots)>();
            var lists = drafts.Select(d => d.FinalLists()).ToArray();
            for (int i = 0; i < n; i++)
            {
                if (lists[i].Description is { } desc) AddSequences(round2, owners2, (i, 0), desc, layer, analyses[i].Feature.Index);
                if (lists[i].Soft is { } soft) AddSequences(round2, owners2, (i, 1), soft, layer, analyses[i].Feature.Index);
            }
            var acts2 = Collect(_probe.Run(round2), owners2, Enumerable.Repeat(2, n).ToArray(),
                (i, j) => (j == 0 ? lists[i].Description : lists[i].Soft)?.Length ?? 0);
            for (int i = 0; i < n; i++)
            {
                // the authors' lists drop strings that encode to nothing; only measured entries count
                var descActs = Measured(lists[i].Description, acts2[i][0]);
                var softActs = Measured(lists[i].Soft, acts2[i][1]);
                results[i] = drafts[i].Finish(new MeasuredValidator(descActs, softActs));
            }
        }

        var records = new FeatureRecord[n];
        for (int i = 0; i < n; i++) records[i] = RecordBuilder.Build(analyses[i], own[i], results[i], _model.TokenString);
        return records;
    }

    float[]? Measured(string[]? list, float[] activations) =>
        list is null ? null : list.Select((s, k) => (s, k)).Where(p => IdOf(p.s) is not null).Select(p => activations[p.k]).ToArray();

    /// <summary>Adds [SequenceBos?] + ids(<paramref name="tokens"/>) as one or more sequences (windows when longer than the
    /// model's context), reading <paramref name="feature"/> at every token that has an id.</summary>
    void AddSequences(List<ProbeSequence> sequences, List<(int Feature, int List, int[] Slots)> owners, (int Feature, int List) owner,
        IReadOnlyList<string> tokens, int layer, int feature)
    {
        int[] prefix = SequenceBos is int b ? [b] : [];
        int window = Math.Max(1, _model.Decoder.Spec.MaxPositions - prefix.Length);
        var ids = new List<(int Slot, int Id)>();
        for (int k = 0; k < tokens.Count; k++)
            if (IdOf(tokens[k]) is int id) ids.Add((k, id));
        for (int start = 0; start < ids.Count; start += window)
        {
            var part = ids.Skip(start).Take(window).ToArray();
            var seq = prefix.Concat(part.Select(p => p.Id)).ToArray();
            var reads = part.Select((p, k) => new ProbeRead(layer, prefix.Length + k, feature)).ToArray();
            sequences.Add(new ProbeSequence(seq, reads));
            owners.Add((owner.Feature, owner.List, part.Select(p => p.Slot).ToArray()));
        }
    }

    static float[][][] Collect(float[][] results, List<(int Feature, int List, int[] Slots)> owners, int[] listsPerFeature, Func<int, int, int> length)
    {
        var acts = new float[listsPerFeature.Length][][];
        for (int i = 0; i < acts.Length; i++)
        {
            acts[i] = new float[listsPerFeature[i]][];
            for (int j = 0; j < listsPerFeature[i]; j++) acts[i][j] = new float[length(i, j)];
        }
        for (int s = 0; s < owners.Count; s++)
        {
            var (f, l, slots) = owners[s];
            for (int k = 0; k < slots.Length; k++) acts[f][l][slots[k]] = results[s][k];
        }
        return acts;
    }
}
