using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// The channels-last memory format (NHWC in memory, NCHW in shape), which TorchSharp 0.107 cannot name
/// (<c>torch.channels_last</c>): a tensor gets it by a permute to NHWC, a copy, and the permute back, which leaves
/// the shape as it was and the strides channels-last. libtorch's convolutions keep the format of their input and
/// weights, so a network whose weights and input are channels-last computes channels-last throughout (cuDNN's
/// tensor-core kernels prefer it under mixed precision).
/// </summary>
public static class ChannelsLast
{
    /// <summary>Whether a 4-D tensor's strides are channels-last (a 1-channel or 1x1 one counts as both).</summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        if (tensor.dim() != 4)
        {
            return false;
        }

        var (n, c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3]);
        var strides = tensor.stride();
        return Matches(strides[1], 1, c) && Matches(strides[3], c, w) && Matches(strides[2], c * w, h) && Matches(strides[0], c * w * h, n);

        // A dimension of size 1 may have any stride.
        static bool Matches(long stride, long expected, long size) => size == 1 || stride == expected;
    }

    /// <summary>A 4-D tensor with the same shape and values in channels-last memory (the tensor itself if it already is).</summary>
    /// <exception cref="ArgumentException">The tensor is not 4-D.</exception>
    public static Tensor Convert(Tensor tensor)
    {
        if (tensor.dim() != 4)
        {
            throw new ArgumentException($"channels-last needs a 4-D tensor, not one of shape [{string.Join(", ", tensor.shape)}]", nameof(tensor));
        }

        return IsChannelsLast(tensor) ? tensor.alias() : tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Moves every 4-D parameter and buffer of <paramref name="module"/> (convolution weights) into channels-last memory,
    /// in place: the same parameter objects, so an optimizer built before or after sees them. Returns the module.
    /// </summary>
    public static T Apply<T>(T module)
        where T : nn.Module
    {
        using var noGrad = no_grad();
        foreach (var tensor in module.parameters().Cast<Tensor>().Concat(module.buffers()).Where(t => t.dim() == 4 && !IsChannelsLast(t)))
        {
            using var converted = Convert(tensor);
            tensor.set_(converted);
        }

        return module;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="tensors"/> laid out contiguously, then gives each its former
    /// strides back; the tensors stay the same objects throughout. For TorchSharp's own save and load (<c>module.save</c>,
    /// <c>optimizer.save_state_dict</c>), which read and write a tensor's bytes as they lie and refuse any other layout.
    /// </summary>
    public static void WhileContiguous(IEnumerable<Tensor> tensors, Action action)
    {
        var relaid = new List<(Tensor Tensor, long[] Strides)>();
        using var noGrad = no_grad();
        try
        {
            foreach (var tensor in tensors.Where(t => !t.is_contiguous()))
            {
                relaid.Add((tensor, tensor.stride()));
                using var contiguous = tensor.contiguous();
                tensor.set_(contiguous);
            }

            action();
        }
        finally
        {
            foreach (var (tensor, strides) in relaid)
            {
                using var laid = empty_strided(tensor.shape, strides, tensor.dtype, tensor.device);
                laid.copy_(tensor);
                tensor.set_(laid);
            }
        }
    }
}
