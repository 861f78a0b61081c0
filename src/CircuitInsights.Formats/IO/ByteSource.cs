using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CircuitInsights.Formats;

/// <summary>
/// A read-only block of bytes at a fixed address: a memory-mapped file or a pinned managed array. Readers slice it
/// into tensors without copying (<see cref="AsMemory{T}"/>); every access is bounds-checked and reported as
/// <see cref="InvalidModelFileException"/> naming <see cref="Location"/>, so a truncated or garbled file can never
/// read outside the block.
/// </summary>
internal sealed unsafe class ByteSource : IDisposable
{
    readonly MemoryMappedFile? _mapping;
    readonly MemoryMappedViewAccessor? _view;
    readonly byte[]? _array; // keeps a pinned array alive
    byte* _pointer;
    int _disposed;

    /// <summary>File (or display name) used in error messages.</summary>
    public string Location { get; }
    public long Length { get; }
    public bool IsMapped => _mapping is not null;
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    ByteSource(string location, long length, byte* pointer, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, byte[]? array)
    {
        Location = location; Length = length; _pointer = pointer; _mapping = mapping; _view = view; _array = array;
    }

    /// <summary>Maps <paramref name="path"/> read-only. An empty file gives an empty source (nothing is mapped).</summary>
    public static ByteSource MapFile(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidModelFileException(path, "file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelFileException(path, $"cannot open file: {e.Message}", e);
        }

        long length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            return new ByteSource(path, 0, null, null, null, null);
        }
        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            return new ByteSource(path, length, p, mapping, view, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            view?.Dispose();
            if (mapping is not null) mapping.Dispose(); else stream.Dispose();
            throw new InvalidModelFileException(path, $"cannot map file: {e.Message}", e);
        }
    }

    /// <summary>Copies <paramref name="data"/> into a pinned array (one copy) and serves it as a source.</summary>
    public static ByteSource FromBytes(ReadOnlySpan<byte> data, string location)
    {
        byte[] pinned = GC.AllocateUninitializedArray<byte>(data.Length, pinned: true);
        data.CopyTo(pinned);
        return WrapPinned(pinned, location);
    }

    /// <summary>Serves an array allocated with <c>pinned: true</c> (no copy).</summary>
    public static ByteSource WrapPinned(byte[] pinnedArray, string location, int length = -1)
    {
        int n = length < 0 ? pinnedArray.Length : length;
        byte* p = pinnedArray.Length == 0 ? null : (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinnedArray));
        return new ByteSource(location, n, p, null, null, pinnedArray);
    }

    /// <summary>Throws <see cref="InvalidModelFileException"/> unless [offset, offset+count) lies inside the source.</summary>
    public void CheckRange(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw new InvalidModelFileException(Location, $"{what}: bytes [{offset}, {offset + count}) lie outside the file of {Length} bytes (truncated or corrupt)");
    }

    public ReadOnlySpan<byte> Span(long offset, int count, string what = "read")
    {
        CheckRange(offset, count, what);
        ThrowIfDisposed();
        return count == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(_pointer + offset, count);
    }

    /// <summary>
    /// <paramref name="count"/> elements of <typeparamref name="T"/> starting at byte <paramref name="offset"/>, without
    /// copying when the address is aligned to <c>sizeof(T)</c>; misaligned data (legal in safetensors and zip archives)
    /// is copied into a managed array so no misaligned reference is ever created.
    /// </summary>
    public ReadOnlyMemory<T> AsMemory<T>(long offset, int count, string what) where T : unmanaged
    {
        long bytes = (long)count * sizeof(T);
        CheckRange(offset, bytes, what);
        ThrowIfDisposed();
        if (count == 0) return ReadOnlyMemory<T>.Empty;
        byte* start = _pointer + offset;
        if (((nuint)start % (nuint)sizeof(T)) == 0)
            return new PointerMemoryManager<T>(this, (T*)start, count).Memory;
        var copy = GC.AllocateUninitializedArray<T>(count);
        fixed (T* destination = copy) Buffer.MemoryCopy(start, destination, bytes, bytes);
        return copy;
    }

    /// <summary>A stream over a byte range (used for inflating zip entries).</summary>
    public Stream OpenStream(long offset, long count, string what)
    {
        CheckRange(offset, count, what);
        ThrowIfDisposed();
        return count == 0 ? new MemoryStream([], false) : new UnmanagedMemoryStream(_pointer + offset, count);
    }

    internal byte* PointerAt(long offset)
    {
        ThrowIfDisposed();
        return _pointer + offset;
    }

    internal void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(Location, $"{Location}: the tensor source was disposed; its tensors are no longer valid");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _mapping?.Dispose();
        _pointer = null;
        GC.KeepAlive(_array);
    }
}
