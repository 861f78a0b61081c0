using System.Runtime.InteropServices;

namespace CircuitInsights.Bench;

/// <summary>
/// OpenBLAS <c>cblas_sgemm</c> loaded at run time when the library is installed (Debian: <c>libopenblas0-pthread</c>),
/// used only as a benchmark reference — never a dependency of the product (dotnet.md §1.1, option c1).
/// </summary>
public sealed unsafe class OpenBlasGemm
{
    static readonly string[] Candidates =
    [
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so.0",
        "libopenblas.so",
    ];

    readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    readonly delegate* unmanaged[Cdecl]<int, void> _setThreads;

    /// <summary>The library path that was loaded.</summary>
    public string Path { get; }
    /// <summary>OpenBLAS's description of its build and detected core (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Zen"), when exported.</summary>
    public string Config { get; }

    OpenBlasGemm(string path, nint lib)
    {
        Path = path;
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out nint st) ? (delegate* unmanaged[Cdecl]<int, void>)st : null;
        string config = "";
        if (NativeLibrary.TryGetExport(lib, "openblas_get_config", out nint gc)) config = Marshal.PtrToStringAnsi((nint)((delegate* unmanaged[Cdecl]<sbyte*>)gc)()) ?? "";
        if (NativeLibrary.TryGetExport(lib, "openblas_get_corename", out nint cn)) config += " core=" + Marshal.PtrToStringAnsi((nint)((delegate* unmanaged[Cdecl]<sbyte*>)cn)());
        Config = config.Trim();
    }

    /// <summary>Loads OpenBLAS if present; null otherwise.</summary>
    public static OpenBlasGemm? TryLoad()
    {
        foreach (var path in Candidates)
            if (NativeLibrary.TryLoad(path, out nint lib) && NativeLibrary.TryGetExport(lib, "cblas_sgemm", out _))
                return new OpenBlasGemm(path, lib);
        return null;
    }

    public void SetThreads(int threads)
    {
        if (_setThreads != null) _setThreads(threads);
    }

    /// <summary>Row-major C[M, N] = A[M, K]·B[K, N] (CblasRowMajor = 101, CblasNoTrans = 111).</summary>
    public void Multiply(float[] a, float[] b, float[] c, int m, int k, int n)
    {
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(101, 111, 111, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
    }
}
