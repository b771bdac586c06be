using System;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen.GpuCheck;

/// <summary>
/// The card's name and its memory in use, from the CUDA driver and runtime that libtorch_cuda already loaded:
/// TorchSharp 0.107 exposes neither (no torch.cuda.get_device_name, no memory statistics).
/// </summary>
internal static unsafe class CudaRuntime
{
    private static readonly string[] RuntimeNames = { "libcudart.so.13", "libcudart.so.12", "libcudart.so" };

    /// <summary>Device 0's name (cuDeviceGetName), or what went wrong in parentheses.</summary>
    public static string DeviceName()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var driver))
        {
            return "(libcuda.so.1 did not load)";
        }

        var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(driver, "cuInit");
        var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGet");
        var name = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGetName");
        int device = 0;
        int status = init(0);
        if (status == 0)
        {
            status = get(&device, 0);
        }

        var buffer = new byte[256];
        fixed (byte* text = buffer)
        {
            status = status == 0 ? name(text, buffer.Length, device) : status;
        }

        return status != 0 ? $"(CUDA driver error {status})" : Encoding.ASCII.GetString(buffer, 0, Math.Max(0, Array.IndexOf(buffer, (byte)0)));
    }

    /// <summary>
    /// Total minus free device memory (cudaMemGetInfo, else the driver's cuMemGetInfo on libtorch's current context);
    /// null when neither is found. The caching allocator keeps what it reserved, so after a run this is its peak.
    /// </summary>
    public static long? UsedBytes()
    {
        nuint free = 0, total = 0;
        foreach (var runtimeName in RuntimeNames)
        {
            if (NativeLibrary.TryLoad(runtimeName, out var runtime) && NativeLibrary.TryGetExport(runtime, "cudaMemGetInfo", out var info))
            {
                return ((delegate* unmanaged<nuint*, nuint*, int>)info)(&free, &total) == 0 ? (long)(total - free) : null;
            }
        }

        if (NativeLibrary.TryLoad("libcuda.so.1", out var driver) && NativeLibrary.TryGetExport(driver, "cuMemGetInfo_v2", out var driverInfo))
        {
            return ((delegate* unmanaged<nuint*, nuint*, int>)driverInfo)(&free, &total) == 0 ? (long)(total - free) : null;
        }

        return null;
    }
}
