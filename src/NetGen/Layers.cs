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
