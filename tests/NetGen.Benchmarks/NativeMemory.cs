using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace NetGen.Benchmarks;

/// <summary>Resident and peak memory of this process, from Linux's /proc (libtorch's memory is native, not GC heap).</summary>
public static class NativeMemory
{
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;

    public static bool Available => File.Exists("/proc/self/status");

    /// <summary>Resident set size in MiB.</summary>
    public static double ResidentMiB() => Read("VmRSS:");

    /// <summary>Peak resident set size in MiB since start or the last <see cref="ResetPeak"/>.</summary>
    public static double PeakMiB() => Read("VmHWM:");

    /// <summary>Sets the peak back to the current resident size (Linux 4.0+: write 5 to clear_refs).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>
    /// glibc serves large blocks from its heap once frees have raised its mmap threshold, and keeps
    /// them: resident memory then shows the allocator's high-water mark, not live tensors. A fixed
    /// 128 KiB threshold returns every large tensor to the system when it is freed.
    /// </summary>
    public static void ReturnFreedMemoryToSystem()
    {
        if (OperatingSystem.IsLinux())
        {
            mallopt(MallocMmapThreshold, 128 * 1024);
            mallopt(MallocTrimThreshold, 128 * 1024);
        }
    }

    private static double Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kiB = long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kiB / 1024.0;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
