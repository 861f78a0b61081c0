namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// Induces a full (non-compacting) garbage collection whenever more than a set number of bytes has been allocated since
/// the last one. The edge matrix is gigabytes of long-lived rows, and the runtime scales its allocation budget with the
/// surviving heap, so without this the short-lived buffers of attribution batches pile up until they exceed the matrix
/// itself (measured: 18 GB resident for a 6 GB graph). A collection here is cheap: float rows hold no references.
/// </summary>
internal sealed class GarbageGate(long bytes)
{
    long _mark = GC.GetTotalAllocatedBytes();

    public void Check()
    {
        if (GC.GetTotalAllocatedBytes() - _mark <= bytes) return;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        _mark = GC.GetTotalAllocatedBytes();
    }
}
