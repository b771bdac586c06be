using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

/// <summary>
/// The Python of a layer for the PyTorch emitter: each descriptor's <see cref="LayerSpec.Python"/> calls these
/// helpers, which write <c>torch.nn</c> constructions the way a PyTorch user writes them (a keyword argument only
/// where it differs from the constructor's default).
/// </summary>
public static class PythonLayerEmitter
{
    private const string Nn = "nn.";
    private const string Runtime = PythonNames.RuntimeAlias + ".";

    /// <summary>The construction expression; <paramref name="inPlace"/> lets an activation overwrite its input.</summary>
    public static string Construct(LayerModel layer, bool inPlace) => layer.Spec.Python(layer, inPlace);

    internal static string Conv(LayerModel layer) =>
        $"{Nn}Conv2d({ConvArguments(layer)})";

    internal static string WeightStandardizedConv(LayerModel layer)
    {
        var eps = layer.Argument("eps");
        var epsArgument = !eps.IsDynamic && eps.AsDouble == 1e-10 ? null : "eps=" + eps.ToPython();
        return $"{Runtime}WeightStandardizedConv2d({Args(ConvArguments(layer), epsArgument)})";
    }

    private static string ConvArguments(LayerModel layer) => Args(
        layer.Argument("in_channels").ToPython(),
        layer.Argument("out_channels").ToPython(),
        Size(layer.Argument("kernel")),
        Keyword("stride", layer.Argument("stride"), 1),
        Keyword("padding", layer.Argument("padding"), 0),
        Keyword("dilation", layer.Argument("dilation"), 1),
        Named(layer, "groups", 1),
        NamedBool(layer, "bias", "bias"));

    internal static string Pool(LayerModel layer, bool isMax)
    {
        var name = isMax ? "MaxPool2d" : "AvgPool2d";
        return $"{Nn}{name}(" + Args(
            Size(layer.Argument("kernel")),
            "stride=" + Size(layer.Argument("stride")),
            Keyword("padding", layer.Argument("padding"), 0),
            isMax ? Keyword("dilation", layer.Argument("dilation"), 1) : null,
            layer.Argument("ceil").AsBool ? "ceil_mode=True" : null,
            !isMax && !layer.Argument("count_include_pad").AsBool ? "count_include_pad=False" : null) + ")";
    }

    internal static string Pad(LayerModel layer)
    {
        var (ph, pw) = layer.Argument("padding").AsPair;
        var value = layer.Argument("value").ToPython();
        return ph == pw
            ? $"{Nn}ConstantPad2d({LayerEmitter.Long(ph)}, {value})"
            : $"{Nn}ConstantPad2d(({LayerEmitter.Long(pw)}, {LayerEmitter.Long(pw)}, {LayerEmitter.Long(ph)}, {LayerEmitter.Long(ph)}), {value})";
    }

    internal static string BatchNorm(LayerModel layer) =>
        $"{Nn}BatchNorm2d({Args(layer.Argument("num_features").ToPython(), Named(layer, "eps", 1e-5), Named(layer, "momentum", 0.1))})";

    internal static string GroupNorm(LayerModel layer) =>
        $"{Nn}GroupNorm({Args(layer.Argument("groups").ToPython(), layer.Argument("num_channels").ToPython(), Named(layer, "eps", 1e-5))})";

    internal static string LayerNorm(LayerModel layer) => layer.Input.IsChannelsFirst
        ? $"{Runtime}LayerNorm2d({Args(layer.Argument("normalized_shape").ToPython(), Named(layer, "eps", 1e-5))})"
        : $"{Nn}LayerNorm({Args(layer.Argument("normalized_shape").ToPython(), Named(layer, "eps", 1e-5))})";

    internal static string AdaptiveAveragePool(LayerModel layer)
    {
        var size = layer.Argument("size");
        return $"{Nn}AdaptiveAvgPool2d({(size.IsSquare ? LayerEmitter.Long(size.AsPair.First) : size.ToPython())})";
    }

    internal static string Linear(LayerModel layer) =>
        $"{Nn}Linear({Args(layer.Argument("in_features").ToPython(), layer.Argument("out_features").ToPython(), NamedBool(layer, "bias", "bias"))})";

    internal static string Scale(LayerModel layer) =>
        $"{Runtime}Scale(({layer.Input.ChannelsPython}{(layer.Input.IsChannelsFirst ? ", 1, 1" : ",")}), {layer.Argument("init").ToPython()})";

    /// <summary>A layer without arguments: <c>nn.Type()</c>, or <c>nn.Type(inplace=True)</c> where it may overwrite its input.</summary>
    internal static string Plain(string type, bool inPlaceable, bool inPlace) => inPlaceable && inPlace ? $"{Nn}{type}(inplace=True)" : $"{Nn}{type}()";

    /// <summary>An activation with one float argument (<c>negative_slope</c>, <c>alpha</c>), written where it is not the default.</summary>
    internal static string Activation(LayerModel layer, string type, string argument, double neutral, string pythonName, bool inPlace) =>
        $"{Nn}{type}({Args(Named(layer, argument, neutral, pythonName), inPlace ? "inplace=True" : null)})";

    internal static string RuntimeLayer(string construction) => Runtime + construction;

    internal static string TorchLayer(string construction) => Nn + construction;

    /// <summary>A kernel or stride: the number where both sides agree, else the (h, w) pair.</summary>
    private static string Size(Value value) => value.Kind == ValueKind.Pair && value.IsSquare ? LayerEmitter.Long(value.AsPair.First) : value.ToPython();

    /// <summary><c>name=value</c>, or nothing for the constructor's default.</summary>
    private static string? Keyword(string name, Value value, long neutral)
    {
        var (a, b) = value.AsPair;
        return !value.IsDynamic && a == neutral && b == neutral ? null : $"{name}={Size(value)}";
    }

    private static string? Named(LayerModel layer, string name, double neutral, string? pythonName = null)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsDouble == neutral ? null : $"{pythonName ?? name}={value.ToPython()}";
    }

    private static string? NamedBool(LayerModel layer, string name, string pythonName)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsBool ? null : $"{pythonName}={value.ToPython()}";
    }

    private static string Args(params string?[] arguments) => string.Join(", ", arguments.Where(a => a is not null));
}
