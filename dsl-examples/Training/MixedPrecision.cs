using System;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// How a trainer computes: in float32, or with autocast in <paramref name="Dtype"/> (bfloat16, or float16 with loss
/// scaling); with the weights and inputs in channels-last memory or not. Built on the runtime's
/// <see cref="Autocast"/>, <see cref="GradScaler"/> and <see cref="NetGen.ChannelsLast"/>.
/// </summary>
public sealed record MixedPrecision(ScalarType? Dtype, bool ChannelsLast)
{
    /// <summary>float32, contiguous memory: PyTorch's defaults.</summary>
    public static MixedPrecision Float32 { get; } = new(null, false);

    /// <summary>An autocast scope for <paramref name="device"/>, or null in float32.</summary>
    /// <exception cref="NotSupportedException">libtorch's autocast cannot be reached on this platform.</exception>
    public IDisposable? Enter(Device device) => Dtype is { } dtype ? Autocast.Enable(device.type, dtype) : null;

    /// <summary>The scaler float16 needs, or null.</summary>
    public GradScaler? CreateScaler() => Dtype == ScalarType.Float16 ? new GradScaler() : null;

    /// <summary>A batch in the memory format the weights have.</summary>
    public Tensor Input(Tensor batch) => ChannelsLast ? NetGen.ChannelsLast.Convert(batch) : batch;

    /// <summary>Moves the network's convolution weights to channels-last memory where asked; returns it.</summary>
    public T Apply<T>(T network)
        where T : nn.Module => ChannelsLast ? NetGen.ChannelsLast.Apply(network) : network;

    /// <summary>"fp32", "bf16 autocast, channels-last", as the run's header line says it.</summary>
    public override string ToString() =>
        (Dtype switch { ScalarType.BFloat16 => "bf16 autocast", ScalarType.Float16 => "fp16 autocast with loss scaling", _ => "fp32" })
        + (ChannelsLast ? ", channels-last" : string.Empty);
}
