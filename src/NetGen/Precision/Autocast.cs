using System;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Automatic mixed precision, as PyTorch's <c>torch.autocast</c>: inside a scope, operations that autocast lists
/// (convolutions, linear layers, matrix products) run in float16 or bfloat16 on the scope's device, and the rest
/// (reductions, softmax, losses) stays in float32. TorchSharp 0.107 has no autocast, so this switches libtorch's own
/// (<c>at::autocast</c>, the C++ functions <c>torch.autocast</c> calls) through its exports in <c>libtorch_cpu</c>.
/// </summary>
/// <remarks>
/// Autocast state is per thread in libtorch, as in PyTorch: a scope covers the operations of the thread that entered
/// it, and must be disposed there. Run the forward pass (and the loss) inside the scope and <c>backward</c> after it;
/// with float16, scale the loss with a <see cref="GradScaler"/> so small gradients do not underflow.
/// <code>
/// using (Autocast.Enable(DeviceType.CUDA, ScalarType.Float16))
/// {
///     logits = model.call(images);
/// }
/// var loss = nn.functional.cross_entropy(logits.to(ScalarType.Float32), labels);
/// </code>
/// </remarks>
public static class Autocast
{
    private static readonly Lazy<Exports?> Native = new(Exports.TryOpen, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether libtorch's autocast can be reached here (Linux and macOS builds of libtorch that export it).</summary>
    public static bool IsSupported => Native.Value is not null;

    /// <summary>Whether autocast is on for <paramref name="device"/> in this thread.</summary>
    public static bool IsEnabled(DeviceType device) => Native.Value is { } native && native.IsEnabled(Check(device)) != 0;

    /// <summary>
    /// Turns autocast on for <paramref name="device"/> (CPU or CUDA) in this thread with <paramref name="dtype"/>
    /// (<see cref="ScalarType.Float16"/> or <see cref="ScalarType.BFloat16"/>) until the scope is disposed, which
    /// restores what was set before; scopes nest.
    /// </summary>
    /// <exception cref="ArgumentException">Another device or dtype.</exception>
    /// <exception cref="NotSupportedException">libtorch's autocast cannot be reached here (<see cref="IsSupported"/>).</exception>
    public static Scope Enable(DeviceType device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"autocast runs in Float16 or BFloat16, not {dtype}", nameof(dtype));
        }

        var native = Native.Value ?? throw new NotSupportedException("libtorch's autocast is not exported by the libtorch TorchSharp loaded here (it is on Linux and macOS)");
        var type = Check(device);
        var scope = new Scope(native, type, native.IsEnabled(type) != 0, native.GetDtype(type), (sbyte)dtype);
        if (scope.ChangesDtype)
        {
            // Autocast caches each weight's cast for the outermost scope; a cast to the other dtype must not be reused.
            native.ClearCache();
        }

        native.SetEnabled(type, 1);
        native.SetDtype(type, (sbyte)dtype);
        native.IncrementNesting();
        return scope;
    }

    private static sbyte Check(DeviceType device) => device is DeviceType.CPU or DeviceType.CUDA
        ? (sbyte)device
        : throw new ArgumentException($"autocast runs on the CPU or CUDA, not {device}", nameof(device));

    /// <summary>
    /// An autocast scope: disposing it restores the device's autocast state from before it began. Scopes must end in
    /// the reverse order they began, as C# <c>using</c> blocks do.
    /// </summary>
    public sealed class Scope : IDisposable
    {
        private readonly Exports _native;
        private readonly sbyte _device;
        private readonly bool _wasEnabled;
        private readonly sbyte _previousDtype;
        private bool _disposed;

        internal Scope(Exports native, sbyte device, bool wasEnabled, sbyte previousDtype, sbyte dtype)
        {
            _native = native;
            _device = device;
            _wasEnabled = wasEnabled;
            _previousDtype = previousDtype;
            ChangesDtype = wasEnabled && previousDtype != dtype;
        }

        /// <summary>Whether this scope nests in one of another dtype.</summary>
        internal bool ChangesDtype { get; }

        /// <summary>Restores the state from before the scope; the outermost scope also frees autocast's cast weights.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_native.DecrementNesting() == 0 || ChangesDtype)
            {
                _native.ClearCache();
            }

            _native.SetEnabled(_device, _wasEnabled ? (byte)1 : (byte)0);
            _native.SetDtype(_device, _previousDtype);
        }
    }

    /// <summary>
    /// The functions of <c>at::autocast</c> (libtorch 2.x), by their Itanium-mangled names. <c>c10::DeviceType</c> and
    /// <c>c10::ScalarType</c> are 8-bit enums whose values TorchSharp's enums share.
    /// </summary>
    internal sealed unsafe class Exports
    {
        private readonly delegate* unmanaged<sbyte, byte, void> _setEnabled;
        private readonly delegate* unmanaged<sbyte, byte> _isEnabled;
        private readonly delegate* unmanaged<sbyte, sbyte, void> _setDtype;
        private readonly delegate* unmanaged<sbyte, sbyte> _getDtype;
        private readonly delegate* unmanaged<int> _incrementNesting;
        private readonly delegate* unmanaged<int> _decrementNesting;
        private readonly delegate* unmanaged<void> _clearCache;

        private Exports(nint[] entries)
        {
            _setEnabled = (delegate* unmanaged<sbyte, byte, void>)entries[0];
            _isEnabled = (delegate* unmanaged<sbyte, byte>)entries[1];
            _setDtype = (delegate* unmanaged<sbyte, sbyte, void>)entries[2];
            _getDtype = (delegate* unmanaged<sbyte, sbyte>)entries[3];
            _incrementNesting = (delegate* unmanaged<int>)entries[4];
            _decrementNesting = (delegate* unmanaged<int>)entries[5];
            _clearCache = (delegate* unmanaged<void>)entries[6];
        }

        private static readonly string[] Names =
        {
            "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb",
            "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE",
            "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE",
            "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE",
            "_ZN2at8autocast17increment_nestingEv",
            "_ZN2at8autocast17decrement_nestingEv",
            "_ZN2at8autocast11clear_cacheEv",
        };

        public static Exports? TryOpen()
        {
            if (LibTorchContext.CpuLibrary() is not { } library || !NativeLibrary.TryLoad(library, out var handle))
            {
                return null;
            }

            var entries = new nint[Names.Length];
            for (var i = 0; i < Names.Length; i++)
            {
                if (!NativeLibrary.TryGetExport(handle, Names[i], out entries[i]))
                {
                    return null;
                }
            }

            return new Exports(entries);
        }

        public void SetEnabled(sbyte device, byte enabled) => _setEnabled(device, enabled);

        public byte IsEnabled(sbyte device) => _isEnabled(device);

        public void SetDtype(sbyte device, sbyte dtype) => _setDtype(device, dtype);

        public sbyte GetDtype(sbyte device) => _getDtype(device);

        public int IncrementNesting() => _incrementNesting();

        public int DecrementNesting() => _decrementNesting();

        public void ClearCache() => _clearCache();
    }
}
