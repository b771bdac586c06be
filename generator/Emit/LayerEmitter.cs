using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

/// <summary>The TorchSharp construction expression and module type of each built-in layer.</summary>
public static class LayerEmitter
{
    private const string Nn = "global::TorchSharp.torch.nn.";

    public static string TypeOf(LayerModel layer) => layer.Kind switch
    {
        "wsconv" => "global::NetGen.WeightStandardizedConv2d",
        "stochastic_depth" => "global::NetGen.StochasticDepth",
        _ => "global::TorchSharp.Modules." + TorchSharpType(layer.Kind),
    };

    /// <summary>The TorchSharp class of a layer kind; for activations also the name of NetGen.Activation's member.</summary>
    public static string TorchSharpType(string kind) => kind switch
    {
        "pad" => "ConstantPad2d",
        "conv" => "Conv2d",
        "batchnorm" => "BatchNorm2d",
        "groupnorm" => "GroupNorm",
        "relu" => "ReLU",
        "relu6" => "ReLU6",
        "silu" => "SiLU",
        "sigmoid" => "Sigmoid",
        "gelu" => "GELU",
        "hardswish" => "Hardswish",
        "hardsigmoid" => "Hardsigmoid",
        "tanh" => "Tanh",
        "maxpool" => "MaxPool2d",
        "avgpool" => "AvgPool2d",
        "adaptive_avgpool" => "AdaptiveAvgPool2d",
        "flatten" => "Flatten",
        "dropout" => "Dropout",
        "linear" => "Linear",
        _ => "Identity",
    };

    /// <summary>Layers whose output is a fresh tensor, so an in-place activation after them is safe for autograd and callers.</summary>
    public static bool MakesFreshTensor(ModuleModel module) => module switch
    {
        LayerModel layer => layer.Kind is "conv" or "wsconv" or "batchnorm" or "groupnorm" or "linear" or "maxpool" or "avgpool" or "adaptive_avgpool" or "pad",
        ResidualModel or ConcatModel or DenseModel or GateModel => true,
        _ => false,
    };

    public static string Construct(LayerModel layer, bool inPlace)
    {
        switch (layer.Kind)
        {
            case "conv":
                return Conv(layer);
            case "wsconv":
                return WeightStandardizedConv(layer);
            case "pad":
                var (ph, pw) = layer.Argument("padding").AsPair;
                var value = layer.Argument("value").ToCSharp();
                return ph == pw
                    ? $"{Nn}ConstantPad2d({Long(ph)}, {value})"
                    : $"{Nn}ConstantPad2d(({Long(pw)}, {Long(pw)}, {Long(ph)}, {Long(ph)}), {value})";
            case "stochastic_depth":
                return $"new global::NetGen.StochasticDepth({layer.Argument("p").ToCSharp()})";
            case "batchnorm":
                return $"{Nn}BatchNorm2d({Args(layer.Argument("num_features").ToCSharp(), Named(layer, "eps", 1e-5), Named(layer, "momentum", 0.1))})";
            case "groupnorm":
                // Through NetGen.Norm: TorchSharp 0.107's GroupNorm leaves its weight and bias uninitialized.
                return $"global::NetGen.Norm.GroupNorm({Args(layer.Argument("groups").ToCSharp(), layer.Argument("num_channels").ToCSharp(), Named(layer, "eps", 1e-5))})";
            case "relu":
                return inPlace ? $"{Nn}ReLU(inplace: true)" : $"{Nn}ReLU()";
            case "maxpool":
            case "avgpool":
                return Pool(layer);
            case "adaptive_avgpool":
                var size = layer.Argument("size");
                return $"{Nn}AdaptiveAvgPool2d({(size.IsSquare ? size.AsPair.First.ToString(System.Globalization.CultureInfo.InvariantCulture) : size.ToCSharp())})";
            case "dropout":
                return $"{Nn}Dropout({layer.Argument("p").ToCSharp()})";
            case "linear":
                return $"{Nn}Linear({Args(layer.Argument("in_features").ToCSharp(), layer.Argument("out_features").ToCSharp(), NamedBool(layer, "bias", "hasBias"))})";
            default:
                return $"{Nn}{TorchSharpType(layer.Kind)}()";
        }
    }

    private static string Conv(LayerModel layer)
    {
        var kernel = layer.Argument("kernel");
        var stride = layer.Argument("stride");
        var padding = layer.Argument("padding");
        var dilation = layer.Argument("dilation");
        var square = kernel.IsSquare && stride.IsSquare && padding.IsSquare && dilation.IsSquare;
        var groups = layer.Argument("groups").Integer;
        return $"{Nn}Conv2d(" + Args(
            layer.Argument("in_channels").ToCSharp(),
            layer.Argument("out_channels").ToCSharp(),
            square ? Long(kernel.AsPair.First) : Tuple(kernel),
            Spatial("stride", stride, 1, square),
            Spatial("padding", padding, 0, square),
            Spatial("dilation", dilation, 1, square),
            groups == 1 ? null : "groups: " + Long(groups),
            NamedBool(layer, "bias", "bias")) + ")";
    }

    private static string WeightStandardizedConv(LayerModel layer)
    {
        var groups = layer.Argument("groups").Integer;
        var eps = layer.Argument("eps");
        return "new global::NetGen.WeightStandardizedConv2d(" + Args(
            layer.Argument("in_channels").ToCSharp(),
            layer.Argument("out_channels").ToCSharp(),
            Tuple(layer.Argument("kernel")),
            Tuple(layer.Argument("stride")),
            Tuple(layer.Argument("padding")),
            Tuple(layer.Argument("dilation")),
            groups == 1 ? null : "groups: " + Long(groups),
            NamedBool(layer, "bias", "bias"),
            !eps.IsDynamic && eps.AsDouble == 1e-10 ? null : "eps: " + eps.ToCSharp()) + ")";
    }

    private static string Pool(LayerModel layer)
    {
        var isMax = layer.Kind == "maxpool";
        var kernel = layer.Argument("kernel");
        var stride = layer.Argument("stride");
        var padding = layer.Argument("padding");
        var dilation = isMax ? layer.Argument("dilation") : Value.Int(1);
        var square = kernel.IsSquare && stride.IsSquare && padding.IsSquare && dilation.IsSquare;
        var name = isMax ? "MaxPool2d" : "AvgPool2d";
        return $"{Nn}{name}(" + Args(
            square ? Long(kernel.AsPair.First) : Tuple(kernel),
            "stride: " + (square ? Long(stride.AsPair.First) : Tuple(stride)),
            Spatial("padding", padding, 0, square),
            isMax ? Spatial("dilation", dilation, 1, square) : null,
            layer.Argument("ceil").AsBool ? "ceil_mode: true" : null,
            !isMax && !layer.Argument("count_include_pad").AsBool ? "count_include_pad: false" : null) + ")";
    }

    private static string? Spatial(string name, Value value, long neutral, bool square)
    {
        var (a, b) = value.AsPair;
        if (a == neutral && b == neutral)
        {
            return null;
        }

        return $"{name}: " + (square ? Long(a) : Tuple(value));
    }

    private static string Tuple(Value value)
    {
        var (a, b) = value.AsPair;
        return $"({Long(a)}, {Long(b)})";
    }

    private static string Long(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Named(LayerModel layer, string name, double neutral)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsDouble == neutral ? null : $"{name}: {value.ToCSharp()}";
    }

    private static string? NamedBool(LayerModel layer, string name, string csharpName)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsBool ? null : $"{csharpName}: {value.ToCSharp()}";
    }

    private static string Args(params string?[] arguments) => string.Join(", ", arguments.Where(a => a is not null));
}
