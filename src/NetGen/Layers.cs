using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Stochastic depth in "row" mode (Huang et al. 2016; torchvision's StochasticDepth): in training,
/// zeroes each sample's input with probability <c>p</c> and scales survivors by 1/(1-p); in
/// evaluation, the identity. It has no parameters.
/// </summary>
public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
{
    private readonly double _p;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1].</summary>
    public StochasticDepth(double p)
        : base(nameof(StochasticDepth))
    {
        if (p < 0 || p > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The drop probability must lie in [0, 1].");
        }

        _p = p;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (!training || _p == 0)
        {
            return input.alias();
        }

        using var scope = NewDisposeScope();
        var survival = 1 - _p;
        var shape = new long[input.dim()];
        shape[0] = input.shape[0];
        for (var i = 1; i < shape.Length; i++)
        {
            shape[i] = 1;
        }

        // The mask lives on the input's device and has its dtype: no host round trip.
        var mask = empty(shape, input.dtype, input.device).bernoulli_(survival);
        if (survival > 0)
        {
            mask.div_(survival);
        }

        return input.mul(mask).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A convolution whose weights are standardized (zero mean, unit variance per output filter) at every
/// forward: Qiao et al. 2019, as google-research/big_transfer's StdConv2d (eps 1e-10 there). Its
/// state_dict is a Conv2d's: <c>weight</c> and optionally <c>bias</c>.
/// </summary>
public sealed class WeightStandardizedConv2d : nn.Module<Tensor, Tensor>
{
    private static readonly long[] FilterDims = { 1, 2, 3 };
    private readonly long[] _stride;
    private readonly long[] _padding;
    private readonly long[] _dilation;
    private readonly long _groups;
    private readonly bool _hasBias;
    private readonly double _eps;

    /// <summary>Creates the layer with PyTorch's Conv2d initialization.</summary>
    public WeightStandardizedConv2d(
        long inChannels,
        long outChannels,
        (long, long) kernel,
        (long, long) stride,
        (long, long) padding,
        (long, long) dilation,
        long groups = 1,
        bool bias = true,
        double eps = 1e-10)
        : base(nameof(WeightStandardizedConv2d))
    {
        _stride = new[] { stride.Item1, stride.Item2 };
        _padding = new[] { padding.Item1, padding.Item2 };
        _dilation = new[] { dilation.Item1, dilation.Item2 };
        _groups = groups;
        _hasBias = bias;
        _eps = eps;

        // Parameters are reached by name, never kept in fields, so moving the module between devices
        // (which replaces them) cannot leave a stale reference behind.
        var weight = empty(outChannels, inChannels / groups, kernel.Item1, kernel.Item2);
        nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        register_parameter("weight", new Parameter(weight));
        if (bias)
        {
            var bound = 1 / Math.Sqrt(inChannels / groups * kernel.Item1 * kernel.Item2);
            register_parameter("bias", new Parameter(empty(outChannels).uniform_(-bound, bound)));
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var weight = get_parameter("weight")!;
        var mean = weight.mean(FilterDims, keepdim: true);
        var centered = weight - mean;
        var variance = centered.square().mean(FilterDims, keepdim: true);
        var standardized = centered / (variance + _eps).sqrt();
        var bias = _hasBias ? get_parameter("bias") : null;
        return nn.functional.conv2d(input, standardized, bias, _stride, _padding, _dilation, _groups).MoveToOuterDisposeScope();
    }
}

/// <summary>x · gate(x): the gate's output (one value per channel, or per element) scales its input. Squeeze-and-excitation is one.</summary>
public sealed class Gate : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _body;

    /// <summary>Registers the gate's layers in order under their names.</summary>
    public Gate(params (string Name, nn.Module<Tensor, Tensor> Module)[] body)
        : base(nameof(Gate))
    {
        _body = Modules.Register(this, body);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scale = Modules.Chain(_body, input);
        return scale.mul(input).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Layer normalization over the channels of each position of a channels x height x width map
/// (torchvision's <c>LayerNorm2d</c>, ConvNeXt's stem, downsampling layers and head): the map is permuted
/// to channels-last, normalized over its last dimension and permuted back. Parameters <c>weight</c> and
/// <c>bias</c>, one per channel, start at 1 and 0.
/// </summary>
public sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
{
    private readonly long[] _normalizedShape;
    private readonly double _eps;

    /// <summary>Creates the layer for <paramref name="channels"/> channels.</summary>
    public LayerNorm2d(long channels, double eps = 1e-5)
        : base(nameof(LayerNorm2d))
    {
        _normalizedShape = new[] { channels };
        _eps = eps;
        register_parameter("weight", new Parameter(ones(channels)));
        register_parameter("bias", new Parameter(zeros(channels)));
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var channelsLast = input.permute(0, 2, 3, 1);
        var normalized = nn.functional.layer_norm(channelsLast, _normalizedShape, get_parameter("weight"), get_parameter("bias"), _eps);
        return normalized.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Reorders a batch's dimensions (torchvision's <c>Permute</c>): channels x height x width maps to
/// height x width x channels and back, so that <c>nn.Linear</c> and <c>nn.LayerNorm</c> act on the channels
/// of each position (ConvNeXt's block). No parameters.
/// </summary>
public sealed class Permute : nn.Module<Tensor, Tensor>
{
    private readonly long[] _dims;

    /// <summary>A permutation of the batch's dimensions, as <c>torch.permute</c> takes it.</summary>
    public Permute(params long[] dims)
        : base(nameof(Permute))
    {
        _dims = dims;
    }

    /// <summary>(N, C, H, W) to (N, H, W, C).</summary>
    public static Permute ToChannelsLast() => new(0, 2, 3, 1);

    /// <summary>(N, H, W, C) to (N, C, H, W).</summary>
    public static Permute ToChannelsFirst() => new(0, 3, 1, 2);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.permute(_dims);
}

/// <summary>
/// Multiplies its input by a learnable tensor (ConvNeXt's <c>layer_scale</c>, shape [C, 1, 1], starting at
/// 1e-6). On its own its tensor is the parameter <c>weight</c>; inside a NetGen container (Sequence,
/// Residual, Concat, Gate, DenseConnection) the tensor is registered on the container under the child's
/// name instead, as torchvision registers <c>layer_scale</c> on the CNBlock itself.
/// </summary>
public sealed class Scale : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the tensor of the given shape, every element <paramref name="init"/>.</summary>
    public Scale(long[] shape, double init)
        : base(nameof(Scale))
    {
        register_parameter("weight", new Parameter(full(shape, init)));
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.mul(get_parameter("weight")!);

    /// <summary>Registers the tensor on <paramref name="owner"/> as <paramref name="name"/>; returns the step that applies it.</summary>
    internal nn.Module<Tensor, Tensor> AdoptInto(nn.Module owner, string name)
    {
        owner.register_parameter(name, get_parameter("weight")!);
        return new OwnedScale(owner, name);
    }

    /// <summary>
    /// Reads the tensor from its owner by name at every call, never from a field: moving the owner
    /// between devices replaces its parameters.
    /// </summary>
    private sealed class OwnedScale : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module _owner;
        private readonly string _name;

        public OwnedScale(nn.Module owner, string name)
            : base(nameof(Scale))
        {
            _owner = owner;
            _name = name;
        }

        public override Tensor forward(Tensor input) => input.mul(_owner.get_parameter(_name)!);
    }
}

/// <summary>Factories for TorchSharp layers that need more than their constructor.</summary>
public static class Norm
{
    /// <summary>
    /// <c>nn.GroupNorm</c> with PyTorch's initial affine parameters (weight 1, bias 0). TorchSharp
    /// 0.107's GroupNorm leaves them uninitialized (often NaN), which poisons every forward.
    /// </summary>
    public static GroupNorm GroupNorm(long groups, long channels, double eps = 1e-5)
    {
        var norm = nn.GroupNorm(groups, channels, eps);
        using (no_grad())
        {
            norm.weight?.fill_(1);
            norm.bias?.fill_(0);
        }

        return norm;
    }
}
