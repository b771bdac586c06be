using System;
using TorchSharp;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.GpuCheck;

/// <summary>
/// The batch every implementation is timed on (random images and labels from seed 0 on the device), and its steps as
/// ref.py takes them: an eval forward without gradients, and one SGD step (lr 0.01, momentum 0.9) on the cross-entropy
/// loss, in float32 or mixed precision.
/// </summary>
public sealed class Workload : IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _channelsLastImages;
    private readonly Tensor _labels;
    private readonly DeviceType _device;

    /// <summary>A batch of <paramref name="batch"/> 3×<paramref name="size"/>×<paramref name="size"/> images with 1,000-class labels.</summary>
    public Workload(int batch, int size, ComputeDevice device)
    {
        manual_seed(0);
        _images = randn(new long[] { batch, 3, size, size }, device: device.Device);
        _labels = randint(0, 1000, new long[] { batch }, dtype: int64, device: device.Device);
        _channelsLastImages = ChannelsLast.Convert(_images);
        _device = device.Device.type;
    }

    /// <summary>An eval forward of <paramref name="model"/> (which must be in eval mode, under no_grad).</summary>
    public Action EvalStep(Net model) => () =>
    {
        using var scope = NewDisposeScope();
        model.call(_images);
    };

    /// <summary>
    /// A training step of <paramref name="model"/> (in train mode) with its own optimizer, TorchSharp's SGD or NetGen's
    /// <see cref="FlatSgd"/>; dispose the optimizer after timing.
    /// </summary>
    public (Action Step, optim.Optimizer Optimizer) TrainStep(Net model, bool flat = false) =>
        Training(model, flat ? new FlatSgd(model.parameters(), 0.01, momentum: 0.9) : optim.SGD(model.parameters(), 0.01, momentum: 0.9), _images, null);

    /// <summary>
    /// A mixed-precision training step of <paramref name="model"/> (in train mode, its weights in channels-last memory:
    /// <see cref="ChannelsLast.Apply"/>) with <see cref="FlatSgd"/>: the forward pass under bf16 autocast on the
    /// channels-last images, the loss in float32. bf16 keeps float32's range, so no loss scaling. Dispose the optimizer
    /// after timing.
    /// </summary>
    public (Action Step, optim.Optimizer Optimizer) MixedTrainStep(Net model) =>
        Training(model, new FlatSgd(model.parameters(), 0.01, momentum: 0.9), _channelsLastImages, ScalarType.BFloat16);

    /// <summary>One step: zero_grad, the forward pass on <paramref name="images"/> (under autocast to <paramref name="autocast"/> if given), the loss, backward, step.</summary>
    private (Action Step, optim.Optimizer Optimizer) Training(Net model, optim.Optimizer optimizer, Tensor images, ScalarType? autocast)
    {
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor logits;
            using (autocast is { } dtype ? Autocast.Enable(_device, dtype) : null)
            {
                logits = model.call(images);
            }

            nn.functional.cross_entropy(autocast is null ? logits : logits.to(ScalarType.Float32), _labels).backward();
            optimizer.step();
        }

        return (Step, optimizer);
    }

    /// <summary>The optimizer alone on the gradients it holds: zero_grad and step, as ref.py times PyTorch's.</summary>
    public static Action OptimizerStep(optim.Optimizer optimizer) => () =>
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        optimizer.step();
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        _images.Dispose();
        _channelsLastImages.Dispose();
        _labels.Dispose();
    }
}
