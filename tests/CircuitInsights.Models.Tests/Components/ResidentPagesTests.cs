using CircuitInsights.Formats;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests.Components;

public class ResidentPagesTests
{
    [Fact]
    public void Pack_MappedBf16View_KeepsValuesAndLeavesTheResidentSet()
    {
        const int rows = 2048, cols = 4096; // 16 MiB of bf16
        var values = new float[rows * cols];
        var rng = new Random(1);
        for (int i = 0; i < values.Length; i++) values[i] = HalfPrecision.Bf16ToSingle(HalfPrecision.SingleToBf16((float)(rng.NextDouble() - 0.5)));
        string dir = CheckpointDirectory.CreateTemp("ci-pages");
        try
        {
            string path = Path.Combine(dir, "w.safetensors");
            new SafeTensorsWriter().Add("w", values, [rows, cols], DType.BF16).Write(path);
            using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true); // clean page-cache pages
            using var file = SafeTensorsFile.Open(path);
            var view = file.Load("w").AsMatrix(rows, cols).Transposed(); // [cols, rows], as nn.Linear weights are used
            double sum = 0;
            for (int j = 0; j < view.Cols; j++) sum += view[0, j] + view[view.Rows - 1, j];
            long before = RssFileBytes();
            using var packed = ResidentPages.Pack(view);
            long after = RssFileBytes();
            if (OperatingSystem.IsLinux() && before > 0)
                Assert.True(before - after > rows * cols, $"RssFile {before / 1e6:F1} MB → {after / 1e6:F1} MB: the view's pages stayed resident");
            // The view still reads the file's values (re-faulted), and the packed copy multiplies like the view.
            for (int i = 0; i < rows; i += 511) Assert.Equal(values[i * cols + 17], view[17, i]);
            var x = TestRandom.Normal(new Random(2), 3 * cols);
            var a = MatrixRef.FromF32(x, 3, cols);
            var c1 = new float[3 * rows]; var c2 = new float[3 * rows];
            Gemm.Multiply(a, packed, c1, rows);
            Gemm.Multiply(a, view, c2, rows);
            NumericAssert.Close(c2, c1, 0, "packed vs view");
            Assert.True(double.IsFinite(sum));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Release_ManagedArray_LeavesValuesIntact()
    {
        var data = TestRandom.Normal(new Random(3), 1 << 22);
        var copy = (float[])data.Clone();
        var view = MatrixRef.FromF32(data, 1024, 4096);
        using var packed = ResidentPages.Pack(view);
        Assert.Equal(copy, data);
    }

    static long RssFileBytes()
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("RssFile:"));
        return line is null ? 0 : long.Parse(line[8..].Trim().Replace(" kB", "")) * 1024;
    }
}
