using System.Diagnostics;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// Builds the attribution graph of a prompt (circuit-tracer <c>attribute()</c>, reference.md §3.1), in numbered phases,
/// each timed and reported through the optional progress callback:
/// <code>
/// 0 context         AttributionContext: the exact forward pass, frozen patterns / norm scales / errors, active features
/// 1 salient logits  top max_n_logits tokens of softmax(final logits at the last position), cut at desired_logit_prob;
///                   targets are the demeaned, pre-soft-cap logits (LogitTarget)
/// 2 logit rows      direct effects of every source on each logit target
/// 3 feature rows    all active features when they fit max_feature_nodes; otherwise, repeatedly: partial influences
///                   from the rows so far, then the next update_interval × batch_size unvisited features by influence
/// 4 assembly        the [N, N] matrix over [selected features, errors (L×T), embeddings (T), logits]; columns of
///                   unselected features are dropped; error and embedding rows are zero
/// </code>
/// The memory estimate (<see cref="GraphMemoryEstimate"/>) is checked against the budget before the context is built
/// and again before any edge-matrix row is allocated; over budget the build stops with a message that names the largest
/// max_feature_nodes that fits.
/// </summary>
public sealed class AttributionGraphBuilder
{
    readonly ReplacementModel _model;
    readonly ITokenizer? _tokenizer;
    readonly string _modelName;

    /// <param name="tokenizer">Gives token texts for the graph (ids are used without one).</param>
    /// <param name="modelName">Recorded in <see cref="GraphInfo.Model"/>.</param>
    public AttributionGraphBuilder(ReplacementModel model, ITokenizer? tokenizer = null, string? modelName = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        _modelName = modelName ?? model.Model.Spec.Architecture;
    }

    /// <summary>Builds the unpruned graph of <paramref name="tokens"/> (BOS included, as the caller tokenised it).</summary>
    public AttributionGraph Build(int[] tokens, GraphBuildOptions? options = null, string prompt = "",
        Action<GraphBuildProgress>? progress = null, CancellationToken cancellation = default)
    {
        options ??= new GraphBuildOptions();
        options.Validate();
        var spec = _model.Model.Spec;
        var set = _model.Transcoders;
        CheckTokens(tokens, spec);
        int T = tokens.Length, L = spec.Layers, V = spec.Vocab;
        var seconds = new double[GraphBuildProgress.PhaseNames.Length];
        var clock = Stopwatch.StartNew();
        void Report(int phase, long done, long total, bool finished, string? message = null)
        {
            if (finished) seconds[phase] = clock.Elapsed.TotalSeconds;
            progress?.Invoke(new GraphBuildProgress(phase, GraphBuildProgress.PhaseNames[phase], done, total, clock.Elapsed, finished, message));
        }

        long contextBytes = GraphMemoryEstimate.ContextBytes(spec, set.Width, T);
        if (contextBytes > options.MemoryBudgetBytes)
            throw new CircuitInsightsException($"a {T}-token prompt needs {GraphMemoryEstimate.Size(contextBytes)} for the forward pass records alone (attention patterns {L}×{spec.Heads}×{T}², logits {T}×{V}), over the memory budget of {GraphMemoryEstimate.Size(options.MemoryBudgetBytes)}; use a shorter prompt or raise --memory-budget");

        // Phase 0: context
        Report(0, 0, 1, false);
        var ctx = AttributionContext.Build(_model, tokens, options.ZeroFirstPosition);
        int NF = ctx.Features.Length;
        Report(0, 1, 1, true, $"{NF} active features");
        cancellation.ThrowIfCancellationRequested();

        // Phase 1: salient logits (model probabilities, i.e. after any final soft-cap)
        clock.Restart();
        Report(1, 0, 1, false);
        var final = ctx.Run.Forward.Logits!.AsSpan((T - 1) * V, V);
        var (ids, probs) = SalientLogits.Select(final, options.MaxLogits, options.DesiredLogitProbability);
        var logitTargets = ids.Select((t, i) => new LogitTarget(T - 1, t, probs[i])).ToArray();
        int nL = logitTargets.Length;
        Report(1, nL, nL, true, $"{nL} logit{(nL == 1 ? "" : "s")}, cumulative p = {probs.Sum():F3}");

        int F = Math.Min(options.MaxFeatureNodes ?? NF, NF);
        bool all = F == NF;
        long outputs = GraphMemoryEstimate.OutputsPerFeature(set, ctx.Features, L);
        var estimate = GraphMemoryEstimate.Of(spec, set.Width, T, NF, outputs, nL, F, options);
        if (estimate.Total > options.MemoryBudgetBytes) throw OverBudget(estimate, spec, set.Width, T, NF, outputs, nL, F, options);

        int sources = NF + (L + 1) * T;   // columns while features are chosen: all features, errors, embeddings
        using var attributor = new Attributor(ctx);
        var gate = new GarbageGate(GraphMemoryEstimate.GarbageAllowance(options));
        int call = GraphMemoryEstimate.CallSize(spec, T, NF, options);
        AttributionGraph graph;
        var info = new GraphInfo
        {
            Model = _modelName, Architecture = spec.Architecture, DModel = spec.DModel, Transcoders = set.Info, Options = options,
            ActiveFeatureCount = NF, PhaseSeconds = seconds, MemoryEstimateBytes = estimate.Total,
        };
        if (all)
        {
            // Every feature is a node: rows go straight into the final matrix (column layout identical).
            var adjacency = new AdjacencyMatrix(sources + nL);
            // Allocate every row up front: rows then sit together instead of between the short-lived batch buffers
            // (which would pin partly-free heap regions), and a shortage shows now rather than after the slow phase.
            for (int r = 0; r < NF; r++) adjacency.WritableRow(r);
            for (int k = 0; k < nL; k++) adjacency.WritableRow(sources + k);
            clock.Restart();
            Report(2, 0, nL, false);
            Attribute(attributor, logitTargets, call, options, gate, (k, rows, j) => CopyRow(rows, j, adjacency.WritableRow(sources + k)));
            Report(2, nL, nL, true);

            clock.Restart();
            Report(3, 0, NF, false);
            for (int start = 0; start < NF; start += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(options.BatchSize, NF - start);
                int first = start;
                Attribute(attributor, FeatureTargets(ctx, Enumerable.Range(start, count)), call, options, gate,
                    (i, rows, j) => CopyRow(rows, j, adjacency.WritableRow(first + i)));
                Report(3, start + count, NF, false);
            }
            Report(3, NF, NF, true);
            clock.Restart();
            Report(4, 1, 1, true, $"{adjacency.Size} nodes");
            graph = NewGraph(ctx, prompt, Enumerable.Range(0, NF).ToArray(), logitTargets, adjacency, info);
        }
        else
        {
            graph = BuildBudgeted(ctx, attributor, prompt, logitTargets, F, sources, call, options, info, Report, clock, gate, cancellation);
        }
        return graph;
    }

    AttributionGraph BuildBudgeted(AttributionContext ctx, Attributor attributor, string prompt, LogitTarget[] logitTargets, int F, int sources, int call,
        GraphBuildOptions options, GraphInfo info, Action<int, long, long, bool, string?> report, Stopwatch clock, GarbageGate gate, CancellationToken cancellation)
    {
        int NF = ctx.Features.Length, nL = logitTargets.Length, L = ctx.Spec.Layers, T = ctx.Positions;
        int nodesWhileChoosing = sources + nL;
        var work = new List<float[]>(F + nL);
        var sums = new List<float>(F + nL);
        var rowNode = new List<int>(F + nL);
        var spare = new Stack<float[]>(Enumerable.Range(0, F + nL).Select(_ => new float[sources])); // allocated up front, as above
        void Add(AttributionRows rows, int i, int node)
        {
            var row = spare.Pop();
            CopyRow(rows, i, row);
            work.Add(row);
            sums.Add((float)(double)System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes<float>(row));
            rowNode.Add(node);
        }

        clock.Restart();
        report(2, 0, nL, false, null);
        Attribute(attributor, logitTargets, call, options, gate, (k, rows, j) => Add(rows, j, sources + k));
        report(2, nL, nL, true, null);

        clock.Restart();
        report(3, 0, F, false, null);
        var visited = new bool[NF];
        int nVisited = 0, rerankings = 0;
        var probabilities = logitTargets.Select(t => t.Probability).ToArray();
        while (nVisited < F)
        {
            var influence = PartialInfluence.Compute(work, sums, rowNode, probabilities, nodesWhileChoosing, sources);
            rerankings++;
            int queue = Math.Min(options.UpdateInterval * options.BatchSize, F - nVisited);
            var pending = RankUnvisited(influence, NF, visited, queue);
            for (int start = 0; start < pending.Length; start += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = pending.AsSpan(start, Math.Min(options.BatchSize, pending.Length - start)).ToArray();
                Attribute(attributor, FeatureTargets(ctx, batch), call, options, gate, (i, rows, j) => { Add(rows, j, batch[i]); visited[batch[i]] = true; });
                nVisited += batch.Length;
                report(3, nVisited, F, false, null);
            }
        }
        report(3, F, F, true, $"{rerankings} influence re-rankings");

        // Phase 4: keep the columns of the chosen features, order rows by node, free each working row once copied.
        clock.Restart();
        report(4, 0, work.Count, false, null);
        var selected = Enumerable.Range(0, NF).Where(i => visited[i]).ToArray();
        int n = F + (L + 1) * T + nL;
        var adjacency = new AdjacencyMatrix(n);
        for (int r = 0; r < work.Count; r++)
        {
            int node = rowNode[r];
            int target = node < NF ? Array.BinarySearch(selected, node) : n - nL + (node - sources);
            var src = work[r];
            var dst = new float[n];
            for (int i = 0; i < F; i++) dst[i] = src[selected[i]];
            src.AsSpan(NF, (L + 1) * T).CopyTo(dst.AsSpan(F));
            adjacency.SetRow(target, dst);
            work[r] = null!;
            gate.Check();
        }
        report(4, work.Count, work.Count, true, $"{n} nodes");
        return NewGraph(ctx, prompt, selected, logitTargets, adjacency, info);
    }

    /// <summary>Attributes <paramref name="targets"/> in calls of at most <paramref name="call"/> targets, checking the
    /// garbage gate after each; <paramref name="sink"/>(target index, rows, row in rows) stores each row.</summary>
    static void Attribute(Attributor attributor, IReadOnlyList<AttributionTarget> targets, int call, GraphBuildOptions options, GarbageGate gate,
        Action<int, AttributionRows, int> sink)
    {
        for (int start = 0; start < targets.Count; start += call)
        {
            int count = Math.Min(call, targets.Count - start);
            var rows = attributor.Attribute(targets.Skip(start).Take(count).ToArray(), options.Attribute);
            for (int j = 0; j < count; j++) sink(start + j, rows, j);
            gate.Check();
        }
    }

    /// <summary>The first <paramref name="count"/> unvisited features by decreasing influence (ties: lower index first).</summary>
    static int[] RankUnvisited(float[] influence, int features, bool[] visited, int count)
    {
        var candidates = Enumerable.Range(0, features).Where(i => !visited[i]).ToArray();
        var keys = candidates.Select(i => -influence[i]).ToArray();
        Array.Sort(keys, candidates);
        // Array.Sort is not stable: order ties by index within the prefix we take (and the tie group crossing its end).
        int take = Math.Min(count, candidates.Length);
        int s = 0;
        while (s < take)
        {
            int e = s + 1;
            while (e < candidates.Length && keys[e] == keys[s]) e++;
            Array.Sort(candidates, s, e - s);
            s = e;
        }
        return candidates[..take];
    }

    static FeatureTarget[] FeatureTargets(AttributionContext ctx, IEnumerable<int> indices) =>
        indices.Select(i => ctx.Features[i]).Select(f => new FeatureTarget(f.Layer, f.Position, f.Feature)).ToArray();

    /// <summary>dst[0, NF + (L+1)·T) = [features | errors (layer-major) | embeddings] of row i.</summary>
    static void CopyRow(AttributionRows rows, int i, Span<float> dst)
    {
        int nf = rows.FeatureCount, lt = rows.Layers * rows.Positions;
        rows.FeatureRow(i).CopyTo(dst);
        rows.ErrorRow(i).CopyTo(dst[nf..]);
        rows.EmbeddingRow(i).CopyTo(dst[(nf + lt)..]);
    }

    AttributionGraph NewGraph(AttributionContext ctx, string prompt, int[] selected, LogitTarget[] logits, AdjacencyMatrix adjacency, GraphInfo info) => new()
    {
        Prompt = prompt, Tokens = ctx.Tokens, TokenTexts = ctx.Tokens.Select(TokenText).ToArray(), Layers = ctx.Spec.Layers,
        VocabSize = ctx.Spec.Vocab, ActiveFeatures = ctx.Features, SelectedFeatures = selected, Logits = logits,
        LogitTexts = logits.Select(l => TokenText(l.Token)).ToArray(), Adjacency = adjacency, Info = info,
    };

    string TokenText(int id)
    {
        if (_tokenizer is null || id >= _tokenizer.VocabSize) return $"<{id}>";
        try { return _tokenizer.TokenText(id); }
        catch (CircuitInsightsException) { return $"<{id}>"; }
    }

    static void CheckTokens(int[] tokens, DecoderSpec spec)
    {
        if (tokens.Length == 0) throw new CircuitInsightsException("the prompt has no tokens");
        foreach (int t in tokens)
            if ((uint)t >= (uint)spec.Vocab) throw new CircuitInsightsException($"token id {t} is outside the model's vocabulary [0, {spec.Vocab})");
        if (spec.Positions == PositionKind.Learned && tokens.Length > spec.MaxPositions)
            throw new CircuitInsightsException($"the prompt has {tokens.Length} tokens, the model has {spec.MaxPositions} positions");
    }

    static CircuitInsightsException OverBudget(GraphMemoryEstimate estimate, DecoderSpec spec, int width, int T, int NF, long outputs, int nL, int F, GraphBuildOptions options)
    {
        int lo = GraphMemoryEstimate.LargestFeatureCount(spec, width, T, NF, outputs, nL, Math.Min(F, NF - 1), options);
        string hint = lo > 0 ? $"use --max-feature-nodes {lo} or less" : "not even one feature node fits: use a shorter prompt";
        return new CircuitInsightsException($"the attribution graph would need about {estimate} with {F} of {NF} active features as nodes, over the memory budget of {GraphMemoryEstimate.Size(options.MemoryBudgetBytes)}; {hint}, or raise --memory-budget");
    }
}
