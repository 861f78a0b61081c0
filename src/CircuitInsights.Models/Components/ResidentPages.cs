using System.Runtime.InteropServices;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// Packs weight views for the forward GEMMs and then hands the view's pages back to the OS. A memory-mapped checkpoint
/// page that packing has read stays in the process's resident set (VmRSS/VmHWM) although the forward only reads the packed
/// copy, so without this a bf16 model occupies about twice its size. On Linux the range is advised with
/// <c>madvise(MADV_PAGEOUT)</c>: a reclaim hint that never loses data (file pages are re-read from the file, or the page
/// cache, when the raw view is used again; anonymous memory without swap simply stays). Elsewhere, or when the kernel
/// declines, nothing happens. Only whole pages inside the view's extent are advised.
/// </summary>
public static unsafe partial class ResidentPages
{
    const int MadvPageout = 21; // Linux ≥ 5.4
    static bool _unsupported;

    /// <summary><see cref="PackedMatrix.Pack"/>, then <see cref="Release"/> of the source view.</summary>
    public static PackedMatrix Pack(MatrixRef view)
    {
        var packed = PackedMatrix.Pack(view);
        Release(view);
        return packed;
    }

    /// <summary>Advises the OS that the pages under <paramref name="view"/> will not be needed soon.</summary>
    public static void Release(MatrixRef view)
    {
        if (_unsupported || !OperatingSystem.IsLinux() || view.Rows == 0 || view.Cols == 0) return;
        int elementSize = view.DType == DType.F32 ? 4 : 2;
        long first = view.Offset;
        long last = view.Offset + (long)(view.Rows - 1) * view.RowStride + (long)(view.Cols - 1) * view.ColStride;
        using var handle = view.DType == DType.F32 ? view.F32Storage.Pin() : view.Bits16Storage.Pin();
        long page = Environment.SystemPageSize;
        long start = (long)handle.Pointer + first * elementSize;
        long end = (long)handle.Pointer + (last + 1) * elementSize;
        long alignedStart = (start + page - 1) / page * page, alignedEnd = end / page * page;
        if (alignedEnd <= alignedStart) return;
        try
        {
            if (Madvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), MadvPageout) != 0 && Marshal.GetLastPInvokeError() == 22 /* EINVAL: older kernel */)
                _unsupported = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unsupported = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
