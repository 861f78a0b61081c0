namespace CircuitInsights.Models.Hooks;

/// <summary>
/// Receives activations during a forward pass, in forward order. The model only materialises optional hook values
/// (e.g. <c>ln2.hook_normalized_pre_affine</c>, full attention patterns) when some handler <see cref="Wants"/> them.
/// Handlers may edit editable hooks in place (interventions, transcoder splicing, frozen attention).
/// </summary>
public interface IHookHandler
{
    bool Wants(HookPoint hook);
    void OnHook(HookPoint hook, HookTensor value);
}

/// <summary>Combinators for hook handlers.</summary>
public static class HookHandlers
{
    /// <summary>Calls each non-null handler in order.</summary>
    public static IHookHandler? Combine(params IHookHandler?[] handlers)
    {
        var list = handlers.Where(h => h is not null).Cast<IHookHandler>().ToArray();
        return list.Length switch { 0 => null, 1 => list[0], _ => new Composite(list) };
    }

    /// <summary>A handler from two delegates.</summary>
    public static IHookHandler Create(Func<HookPoint, bool> wants, Action<HookPoint, HookTensor> onHook) => new Lambda(wants, onHook);

    sealed class Composite(IHookHandler[] handlers) : IHookHandler
    {
        public bool Wants(HookPoint hook)
        {
            foreach (var h in handlers) if (h.Wants(hook)) return true;
            return false;
        }

        public void OnHook(HookPoint hook, HookTensor value)
        {
            foreach (var h in handlers) if (h.Wants(hook)) h.OnHook(hook, value);
        }
    }

    sealed class Lambda(Func<HookPoint, bool> wants, Action<HookPoint, HookTensor> onHook) : IHookHandler
    {
        public bool Wants(HookPoint hook) => wants(hook);
        public void OnHook(HookPoint hook, HookTensor value) => onHook(hook, value);
    }
}
