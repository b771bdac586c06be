using System;
using System.IO;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.GpuCheck;

/// <summary>The device the check runs on, made ready: CUDA's backend loaded and initialised, or the CPU.</summary>
public sealed class ComputeDevice
{
    private ComputeDevice(Device device, string name)
    {
        Device = device;
        Name = name;
    }

    /// <summary>TorchSharp's device.</summary>
    public Device Device { get; }

    /// <summary>The card's name (CUDA) or "CPU, N threads".</summary>
    public string Name { get; }

    /// <summary>Whether this is a CUDA device.</summary>
    public bool IsCuda => Device.type == DeviceType.CUDA;

    /// <summary>
    /// The device <paramref name="kind"/> names (cpu or cuda). For CUDA, libtorch_cuda.so is loaded first: TorchSharp
    /// looks for it by a name the CUDA machine's torch wheel does not use, and its static initialisers register the
    /// CUDA backend. Throws <see cref="CheckException"/> when CUDA is not there.
    /// </summary>
    public static ComputeDevice Open(string kind, Log log)
    {
        NetGen.Platform.EnsureConfigured();
        if (kind != "cuda")
        {
            return new ComputeDevice(CPU, $"CPU, libtorch threads: {get_num_threads()}");
        }

        PreloadTorchCuda(log);
        if (!cuda.is_available())
        {
            throw new CheckException("CUDA is not available to TorchSharp: libtorch_cuda.so did not load, or there is no driver or GPU");
        }

        return new ComputeDevice(CUDA, CudaRuntime.DeviceName());
    }

    /// <summary>Waits for the device's queued work (timings end here).</summary>
    public void Synchronize()
    {
        if (IsCuda)
        {
            cuda.synchronize();
        }
    }

    /// <summary>Runs a small convolution forward and backward so that cuDNN's and cuBLAS's handles exist before a memory baseline or a timing.</summary>
    public void Prime()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(3, 8, 3, padding: 1);
        using var linear = nn.Linear(8, 4);
        conv.to(Device);
        linear.to(Device);
        var x = randn(new long[] { 2, 3, 16, 16 }, device: Device);
        linear.call(conv.call(x).mean(new long[] { 2, 3 })).sum().backward();
        Synchronize();
    }

    /// <summary>Device memory in use (CUDA's total minus free), or null on the CPU.</summary>
    public long? UsedBytes() => IsCuda ? CudaRuntime.UsedBytes() : null;

    private static void PreloadTorchCuda(Log log)
    {
        var folder = Environment.GetEnvironmentVariable("TORCH_LIB_DIR");
        var path = string.IsNullOrEmpty(folder) ? "libtorch_cuda.so" : Path.Combine(folder, "libtorch_cuda.so");
        log.Line(NativeLibrary.TryLoad(path, out _) ? $"loaded {path}" : $"could not load {path} (set TORCH_LIB_DIR to torch's lib folder)");
    }
}
