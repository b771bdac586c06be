using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Tool;

/// <summary>How layers, containers, shapes and counts read in the tool's output (invariant culture throughout).</summary>
public static class ModelText
{
    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>1.82 G, 4.1 M, 930 K: a count for people.</summary>
    public static string Scaled(long value) => value switch
    {
        >= 1_000_000_000 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
        >= 1_000_000 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (value / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " K",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The shape with the batch dimension first, as torchinfo prints it: <c>[-1, 64, 56, 56]</c>.</summary>
    public static string BatchShape(Shape shape) => "[-1, " + string.Join(", ", Dimensions(shape)) + "]";

    /// <summary>One sample's shape for a graph label: <c>64×56×56</c>, or <c>1000</c> for flat features.</summary>
    public static string SampleShape(Shape shape) => string.Join("×", Dimensions(shape));

    public static long[] Dimensions(Shape shape) => shape.Sizes;

    public static long Elements(Shape shape) => Dimensions(shape).Aggregate(1L, (product, d) => product * d);

    public static bool IsNorm(LayerModel layer) => layer.Spec.Role == LayerRole.Normalization;

    public static bool IsActivation(LayerModel layer) => layer.Spec.Role == LayerRole.Activation;

    /// <summary>Layers that change nothing a reader needs to see on their own: they ride along with a neighbour in a graph.</summary>
    public static bool IsMinor(LayerModel layer) =>
        layer.Spec.Role is LayerRole.Regularization or LayerRole.Identity or LayerRole.Parameter
        || (layer.Spec.Role == LayerRole.Rearrangement && layer.Spec.Arguments.Count == 0);

    /// <summary>How a concat joins: <c>concat</c> or <c>split</c>.</summary>
    public static string Join(ConcatModel concat) => concat.Split ? "split" : "concat";

    /// <summary>
    /// A layer in a few words: <c>conv 3x3/2 64</c> (kernel, stride, output channels), <c>maxpool 3x3/2</c>,
    /// <c>linear 1000</c>. <paramref name="compact"/> abbreviates normalizations (<c>bn</c>, <c>gn</c>) for graphs.
    /// </summary>
    public static string Describe(LayerModel layer, bool compact = false)
    {
        switch (layer.Spec.Role)
        {
            case LayerRole.Convolution:
                var text = $"{layer.Kind} {Pair(layer.Argument("kernel"))}{Stride(layer.Argument("stride"))} {layer.Output.Channels.ToString(CultureInfo.InvariantCulture)}";
                var groups = layer.Argument("groups").Integer;
                if (groups > 1)
                {
                    text += groups == layer.Input.Channels ? " depthwise" : $" g={groups.ToString(CultureInfo.InvariantCulture)}";
                }

                var dilation = layer.Argument("dilation");
                if (!dilation.IsError && dilation.AsPair != (1, 1))
                {
                    text += " d=" + Pair(dilation);
                }

                return text;
            case LayerRole.Normalization:
                var name = compact ? Abbreviation(layer.Kind) : layer.Kind;
                var normGroups = layer.Argument("groups");
                return normGroups.IsError ? name : name + " " + normGroups.Display;
            case LayerRole.Pooling:
                var kernel = layer.Argument("kernel");
                return kernel.IsError
                    ? $"{layer.Kind} {Pair(layer.Argument("size"))}"
                    : $"{layer.Kind} {Pair(kernel)}{Stride(layer.Argument("stride"))}";
            case LayerRole.Linear:
                return "linear " + layer.Output.Channels.ToString(CultureInfo.InvariantCulture);
            default:
                // Other layers show their first argument: 'dropout 0.2', 'pad 1', 'channel_shuffle 2', 'leaky_relu 0.2'.
                if (layer.Spec.Arguments.Count == 0 || layer.Argument(layer.Spec.Arguments[0].Name) is not { IsError: false } first)
                {
                    return layer.Kind;
                }

                return layer.Kind + " " + (first.IsSquare && first.Kind == ValueKind.Pair ? first.AsPair.First.ToString(CultureInfo.InvariantCulture) : first.Display);
        }
    }

    /// <summary>batchnorm → bn, groupnorm → gn, layernorm → ln: short names for graph nodes.</summary>
    private static string Abbreviation(string kind) => kind.EndsWith("norm", System.StringComparison.Ordinal) && kind.Length > 4 ? kind.Substring(0, 1) + "n" : kind;

    /// <summary>What kind of container a module is, with the block it came from: <c>Bottleneck (residual → relu)</c>.</summary>
    public static string DescribeContainer(ModuleModel module)
    {
        var kind = module switch
        {
            SequenceModel => "sequence",
            ResidualModel residual => residual.Then is null ? "residual" : "residual → " + Describe(residual.Then),
            DenseModel => "dense",
            ConcatModel concat => concat.Then is null ? Join(concat) : Join(concat) + " → " + Describe(concat.Then),
            GateModel => "gate",
            _ => "module",
        };
        var origin = ModelTree.Origin(module);
        return origin is null ? kind : module is SequenceModel ? origin : $"{origin} ({kind})";
    }

    /// <summary>A shortcut projection in one line: <c>conv 1x1/2 256, bn</c>.</summary>
    public static string DescribeLayers(ModuleModel module, bool compact = true, string separator = ", ") =>
        string.Join(separator, ModelTree.Layers(module).Select(l => Describe(l, compact)));

    private static string Pair(Value value)
    {
        var (first, second) = value.AsPair;
        return first == second
            ? $"{first.ToString(CultureInfo.InvariantCulture)}x{first.ToString(CultureInfo.InvariantCulture)}"
            : $"{first.ToString(CultureInfo.InvariantCulture)}x{second.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Stride(Value stride)
    {
        if (stride.IsError)
        {
            return string.Empty;
        }

        var (first, second) = stride.AsPair;
        return (first, second) == (1, 1) ? string.Empty
            : first == second ? "/" + first.ToString(CultureInfo.InvariantCulture)
            : $"/{first.ToString(CultureInfo.InvariantCulture)}x{second.ToString(CultureInfo.InvariantCulture)}";
    }
}
