namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// Per-thread, 64-byte aligned fp32 scratch memory for packing (a pinned managed array, so it is freed with its thread).
/// A thread has a few named slots; each grows on demand and is reused by later calls on the same thread.
/// </summary>
internal static unsafe class Scratch
{
    public const int SlotA = 0, SlotB = 1, SlotRow = 2, SlotTile = 3, SlotStream = 4, SlotCount = 5;

    [ThreadStatic] static float[]?[]? _slots;

    /// <summary>An aligned pointer to at least <paramref name="floats"/> floats; valid until this thread asks for the same slot again.</summary>
    public static float* Get(int slot, long floats)
    {
        var slots = _slots ??= new float[SlotCount][];
        var array = slots[slot];
        if (array is null || array.LongLength < floats + 16)
        {
            array = GC.AllocateUninitializedArray<float>(checked((int)(floats + 16)), pinned: true);
            slots[slot] = array;
        }
        fixed (float* p = array) return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
