using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// libtorch's global context (<c>at::globalContext()</c>), reached where TorchSharp's native bridge
/// exposes nothing: the oneDNN ("mkldnn") switch that <c>torch.backends.mkldnn.enabled</c> sets in
/// PyTorch. The entry points are the Itanium-mangled C++ exports of <c>libtorch_cpu</c>; where the
/// library or a symbol is missing (Windows, another libtorch) <see cref="TryOpen()"/> returns null and
/// nothing is called.
/// </summary>
internal sealed unsafe class LibTorchContext
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledMkldnn = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string UserEnabledMkldnn = "_ZNK2at7Context17userEnabledMkldnnEv";

    private readonly nint _context;
    private readonly delegate* unmanaged<nint, byte, void> _setMkldnn;
    private readonly delegate* unmanaged<nint, byte> _getMkldnn;

    private LibTorchContext(nint context, nint setter, nint getter)
    {
        _context = context;
        _setMkldnn = (delegate* unmanaged<nint, byte, void>)setter;
        _getMkldnn = (delegate* unmanaged<nint, byte>)getter;
    }

    /// <summary>Whether libtorch may use oneDNN for operations that support it (its default: true).</summary>
    public bool OneDnnEnabled
    {
        get => _getMkldnn(_context) != 0;
        set => _setMkldnn(_context, value ? (byte)1 : (byte)0);
    }

    /// <summary>The context of the libtorch TorchSharp loaded, or null where it cannot be reached safely.</summary>
    public static LibTorchContext? TryOpen() => CpuLibrary() is { } library ? TryOpen(library) : null;

    /// <summary>
    /// The name of the <c>libtorch_cpu</c> that TorchSharp loaded, or null where its C++ exports cannot be called: MSVC
    /// mangles C++ names differently, so on Windows nothing is reached.
    /// </summary>
    internal static string? CpuLibrary()
    {
        var library = OperatingSystem.IsLinux() ? "libtorch_cpu.so" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : null;

        // TorchSharp loads libtorch (as a dependency of its bridge) on first use; make that happen, so
        // the name finds the library already in the process rather than another copy on disk.
        return library is not null && TryInitializeDeviceType(DeviceType.CPU) ? library : null;
    }

    /// <summary>The context exported by <paramref name="library"/>, or null where it lacks an entry point.</summary>
    internal static LibTorchContext? TryOpen(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return null;
        }

        if (!NativeLibrary.TryGetExport(handle, GlobalContext, out var globalContext)
            || !NativeLibrary.TryGetExport(handle, SetUserEnabledMkldnn, out var setter)
            || !NativeLibrary.TryGetExport(handle, UserEnabledMkldnn, out var getter))
        {
            return null;
        }

        var context = ((delegate* unmanaged<nint>)globalContext)();
        return context == 0 ? null : new LibTorchContext(context, setter, getter);
    }
}
