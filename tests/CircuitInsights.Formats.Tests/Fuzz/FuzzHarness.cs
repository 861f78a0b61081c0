using System.Diagnostics;

namespace CircuitInsights.Formats.Tests;

/// <summary>
/// Runs a parser over mutated seed inputs and checks that each input either parses or fails with a
/// <see cref="CircuitInsightsException"/>, within a time budget and an allocation budget. Iterations default to 100 000 per
/// parser (≈ 5 s each; ./test.sh --fast uses 5 000); set <c>CI_FUZZ_ITERATIONS</c> (e.g. 1000000) for a long run and <c>CI_FUZZ_SEED</c> to vary the inputs. Failing inputs are saved for reproduction.
/// </summary>
public static class FuzzHarness
{
    public static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("CI_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 100_000;

    /// <summary>Added to every parser's seed (<c>CI_FUZZ_SEED</c>), to explore other inputs in long runs.</summary>
    public static int SeedOffset =>
        int.TryParse(Environment.GetEnvironmentVariable("CI_FUZZ_SEED"), out int s) ? s : 0;

    public static readonly TimeSpan PerInputBudget = TimeSpan.FromSeconds(2);
    public const long AllocationBudget = 64L << 20;

    public sealed record Result(int Runs, int Parsed, int Rejected);

    public static Result Run(string parser, IReadOnlyList<byte[]> seeds, Action<byte[]> parse, int seed, bool text = false, int? iterations = null)
    {
        int n = iterations ?? Iterations;
        seed += SeedOffset;
        var rng = new Random(seed);
        var failures = new List<string>();
        int parsed = 0, rejected = 0;
        string reproDir = Path.Combine(Path.GetTempPath(), "ci-fuzz-failures", parser);
        using var worker = new Worker(parse);
        for (int i = 0; i < n && failures.Count < 5; i++)
        {
            byte[] input = i < seeds.Count ? seeds[i] : Mutator.Mutate(seeds[rng.Next(seeds.Count)], rng, text);
            var sw = Stopwatch.StartNew();
            if (!worker.Run(input, PerInputBudget * 5, out var error, out long allocated))
            {
                failures.Add($"input {i}: did not finish within {PerInputBudget * 5} (hang) — {Save(reproDir, i, input)}");
                break; // the stuck thread cannot be stopped; report what we have
            }
            sw.Stop();
            if (error is null) parsed++;
            else if (error is CircuitInsightsException ce && !ce.Message.Contains('\n')) rejected++;
            else failures.Add($"input {i}: {error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")} — {Save(reproDir, i, input)}\n{error.StackTrace}");
            if (sw.Elapsed > PerInputBudget) failures.Add($"input {i}: took {sw.Elapsed.TotalMilliseconds:F0} ms — {Save(reproDir, i, input)}");
            if (allocated > AllocationBudget) failures.Add($"input {i}: allocated {allocated >> 20} MiB for {input.Length} bytes — {Save(reproDir, i, input)}");
        }
        Assert.True(failures.Count == 0, $"{parser} fuzz ({n} inputs, seed {seed}):\n" + string.Join("\n", failures));
        return new Result(n, parsed, rejected);
    }

    /// <summary>One background thread that parses inputs handed to it, so a hang can be detected by a timeout.</summary>
    sealed class Worker : IDisposable
    {
        readonly Action<byte[]> _parse;
        readonly SemaphoreSlim _start = new(0), _done = new(0);
        readonly Thread _thread;
        byte[]? _input;
        Exception? _error;
        long _allocated;
        volatile bool _stop;

        public Worker(Action<byte[]> parse)
        {
            _parse = parse;
            _thread = new Thread(Loop) { IsBackground = true, Name = "fuzz-worker" };
            _thread.Start();
        }

        public bool Run(byte[] input, TimeSpan timeout, out Exception? error, out long allocated)
        {
            _input = input;
            _start.Release();
            bool finished = _done.Wait(timeout);
            error = _error;
            allocated = _allocated;
            return finished;
        }

        void Loop()
        {
            while (true)
            {
                _start.Wait();
                if (_stop) return;
                _error = null;
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { _parse(_input!); }
                catch (Exception e) { _error = e; }
                _allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                _done.Release();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _start.Release();
        }
    }

    static string Save(string dir, int i, byte[] input)
    {
        Directory.CreateDirectory(dir);
        string p = Path.Combine(dir, $"input-{i}.bin");
        File.WriteAllBytes(p, input);
        return p;
    }
}
