using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Examples.Backbones;

/// <summary>
/// A feature pyramid (Lin et al., "Feature Pyramid Networks for Object Detection", CVPR 2017) over a backbone's
/// stage outputs, laid out as torchvision's <c>FeaturePyramidNetwork</c> (keys <c>inner_blocks.i.0</c> and
/// <c>layer_blocks.i.0</c>): a 1x1 lateral convolution per level, the coarser level upsampled (nearest) and
/// added from the top down, then a 3x3 convolution per level. Every output has the same channel count.
/// </summary>
public sealed class FeaturePyramid : nn.Module<Tensor[], Tensor[]>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> inner_blocks;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layer_blocks;

    /// <param name="inChannels">The levels' channel counts, finest first (a generated network's <c>FeatureMaps.Channels</c>).</param>
    /// <param name="outChannels">The channels of every output level (256 in the paper).</param>
    public FeaturePyramid(ReadOnlySpan<long> inChannels, long outChannels = 256)
        : base(nameof(FeaturePyramid))
    {
        if (inChannels.Length == 0)
        {
            throw new ArgumentException("A pyramid needs at least one level.", nameof(inChannels));
        }

        var inner = new List<nn.Module<Tensor, Tensor>>();
        var layer = new List<nn.Module<Tensor, Tensor>>();
        foreach (var channels in inChannels)
        {
            inner.Add(new Sequence(("0", nn.Conv2d(channels, outChannels, 1))));
            layer.Add(new Sequence(("0", nn.Conv2d(outChannels, outChannels, 3, padding: 1))));
        }

        inner_blocks = nn.ModuleList(inner.ToArray());
        layer_blocks = nn.ModuleList(layer.ToArray());
        RegisterComponents();
    }

    /// <summary>The number of levels.</summary>
    public int Levels => inner_blocks.Count;

    /// <summary>Maps finest first, as <c>FeatureMaps.ToArray()</c> returns them; returns one output per level, finest first.</summary>
    public override Tensor[] forward(Tensor[] maps)
    {
        if (maps.Length != Levels)
        {
            throw new ArgumentException($"The pyramid has {Levels} levels but was given {maps.Length} maps.", nameof(maps));
        }

        using var scope = NewDisposeScope();
        var results = new Tensor[maps.Length];
        var last = maps.Length - 1;
        var top = inner_blocks[last].call(maps[last]);
        results[last] = layer_blocks[last].call(top);
        for (var level = last - 1; level >= 0; level--)
        {
            var lateral = inner_blocks[level].call(maps[level]);
            var size = new[] { lateral.shape[^2], lateral.shape[^1] };
            top = lateral.add_(nn.functional.interpolate(top, size, mode: InterpolationMode.Nearest));
            results[level] = layer_blocks[level].call(top);
        }

        for (var level = 0; level < results.Length; level++)
        {
            results[level] = results[level].MoveToOuterDisposeScope();
        }

        return results;
    }
}

/// <summary>
/// A generated ResNet-50 as a detection backbone: its taps (<c>c2</c> to <c>c5</c>, strides 4 to 32) feed a
/// <see cref="FeaturePyramid"/>. The stem and first stage are frozen, as torchvision's detection models train
/// them (<c>trainable_layers=3</c>). Keys: <c>body.*</c> (the ResNet's own) and <c>fpn.*</c>.
/// </summary>
public sealed class ResNet50Fpn : nn.Module<Tensor, Tensor[]>
{
    private readonly ResNet50 body;
    private readonly FeaturePyramid fpn;

    /// <param name="outChannels">The channels of every pyramid level.</param>
    public ResNet50Fpn(long outChannels = 256)
        : base(nameof(ResNet50Fpn))
    {
        body = new ResNet50();
        body.Freeze("conv1", "bn1", "layer1");
        fpn = new FeaturePyramid(ResNet50.FeatureMaps.Channels, outChannels);
        RegisterComponents();
    }

    /// <summary>The backbone, for loading torchvision's ResNet-50 weights into it (<c>Body.load_state_dict</c>).</summary>
    public ResNet50 Body => body;

    /// <summary>Pyramid levels P2 to P5 (strides 4 to 32), each with the pyramid's channel count.</summary>
    public override Tensor[] forward(Tensor input)
    {
        using var maps = body.ForwardFeatures(input);
        return fpn.call(maps.ToArray());
    }
}
