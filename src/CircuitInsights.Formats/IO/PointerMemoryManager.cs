using System.Buffers;

namespace CircuitInsights.Formats;

/// <summary>
/// Exposes unmanaged memory owned by a <see cref="ByteSource"/> (a mapped file or pinned array) as
/// <see cref="Memory{T}"/> without copying. After the source is disposed, <see cref="GetSpan"/> throws
/// <see cref="ObjectDisposedException"/> instead of touching unmapped memory.
/// </summary>
internal sealed unsafe class PointerMemoryManager<T> : MemoryManager<T> where T : unmanaged
{
    readonly ByteSource _owner;
    readonly T* _pointer;
    readonly int _length;

    public PointerMemoryManager(ByteSource owner, T* pointer, int length)
    {
        _owner = owner; _pointer = pointer; _length = length;
    }

    public override Span<T> GetSpan()
    {
        _owner.ThrowIfDisposed();
        return new Span<T>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        _owner.ThrowIfDisposed();
        if ((uint)elementIndex > (uint)_length) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
