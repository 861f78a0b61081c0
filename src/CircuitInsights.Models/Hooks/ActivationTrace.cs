namespace CircuitInsights.Models.Hooks;

/// <summary>Records copies of the requested hook values during a forward pass (and nothing else).</summary>
public sealed class ActivationTrace : IHookHandler
{
    readonly HashSet<string> _wanted;
    readonly Dictionary<string, (float[] Data, int[] Shape)> _values = new(StringComparer.Ordinal);

    /// <param name="hookNames">Full hook names (<c>blocks.3.hook_resid_mid</c>).</param>
    public ActivationTrace(IEnumerable<string> hookNames) => _wanted = new HashSet<string>(hookNames, StringComparer.Ordinal);

    public ActivationTrace(IEnumerable<HookPoint> hooks) : this(hooks.Select(h => h.Name)) { }

    public bool Wants(HookPoint hook) => _wanted.Contains(hook.Name);

    public void OnHook(HookPoint hook, HookTensor value) => _values[hook.Name] = (value.ToArray(), (int[])value.Shape.Clone());

    public bool Contains(string hookName) => _values.ContainsKey(hookName);

    /// <summary>The recorded value; throws when the hook was not requested or not reached.</summary>
    public (float[] Data, int[] Shape) Get(string hookName) =>
        _values.TryGetValue(hookName, out var v) ? v : throw new KeyNotFoundException($"hook '{hookName}' was not recorded (requested: {string.Join(", ", _wanted)})");

    public (float[] Data, int[] Shape) Get(HookPoint hook) => Get(hook.Name);

    public IReadOnlyCollection<string> Recorded => _values.Keys;
}
