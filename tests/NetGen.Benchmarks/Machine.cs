using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;

namespace NetGen.Benchmarks;

/// <summary>The machine and software the figures come from, printed first so a table never travels without them.</summary>
public static class Machine
{
    public static void Print()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine("## Machine");
        Console.WriteLine();
        Console.WriteLine($"- {RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} logical cores{(cpu is null ? "" : ", " + cpu)}");
        Console.WriteLine($"- {RuntimeInformation.FrameworkDescription}; TorchSharp {typeof(torch).Assembly.GetName().Version}; libtorch threads {torch.get_num_threads()}");
        Platform.EnsureConfigured();
        Console.WriteLine($"- CPU {Platform.Cpu}; oneDNN {(Platform.OneDnn.Enabled ? "on" : "off")} ({Platform.OneDnn.Source}: {Platform.OneDnn.Reason})");
        Console.WriteLine($"- started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
    }
}
