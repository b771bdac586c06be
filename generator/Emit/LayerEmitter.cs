using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

/// <summary>
/// The C# of a layer: its module type and construction expression come from its descriptor
/// (<see cref="LayerSpec.CSharp"/>); the helpers here write the arguments the descriptors share.
/// </summary>
public static class LayerEmitter
{
    private const string Nn = "global::TorchSharp.torch.nn.";

    public static string TypeOf(LayerModel layer) => layer.Spec.CSharp.Type(layer);

    /// <summary>The construction expression; <paramref name="inPlace"/> lets an activation overwrite its input.</summary>
    public static string Construct(LayerModel layer, bool inPlace) => layer.Spec.CSharp.Construct(layer, inPlace);

    /// <summary>Whether the module's output is a fresh tensor, so an in-place activation after it is safe for autograd and callers.</summary>
    public static bool MakesFreshTensor(ModuleModel module) => module switch
    {
        LayerModel layer => layer.Spec.MakesFreshTensor,
        ResidualModel or ConcatModel or DenseModel or GateModel => true,
        _ => false,
    };

    internal static string Conv(LayerModel layer)
    {
        var kernel = layer.Argument("kernel");
        var stride = layer.Argument("stride");
        var padding = layer.Argument("padding");
        var dilation = layer.Argument("dilation");
        var square = kernel.IsSquare && stride.IsSquare && padding.IsSquare && dilation.IsSquare;
        var groups = layer.Argument("groups");
        return $"{Nn}Conv2d(" + Args(
            layer.Argument("in_channels").ToCSharp(),
            layer.Argument("out_channels").ToCSharp(),
            square ? Square(kernel) : Tuple(kernel),
            Spatial("stride", stride, 1, square),
            Spatial("padding", padding, 0, square),
            Spatial("dilation", dilation, 1, square),
            Named(layer, "groups", 1),
            NamedBool(layer, "bias", "bias")) + ")";
    }

    internal static string WeightStandardizedConv(LayerModel layer)
    {
        var eps = layer.Argument("eps");
        return "new global::NetGen.WeightStandardizedConv2d(" + Args(
            layer.Argument("in_channels").ToCSharp(),
            layer.Argument("out_channels").ToCSharp(),
            Tuple(layer.Argument("kernel")),
            Tuple(layer.Argument("stride")),
            Tuple(layer.Argument("padding")),
            Tuple(layer.Argument("dilation")),
            Named(layer, "groups", 1),
            NamedBool(layer, "bias", "bias"),
            !eps.IsDynamic && eps.AsDouble == 1e-10 ? null : "eps: " + eps.ToCSharp()) + ")";
    }

    internal static string Pool(LayerModel layer, bool isMax)
    {
        var kernel = layer.Argument("kernel");
        var stride = layer.Argument("stride");
        var padding = layer.Argument("padding");
        var dilation = isMax ? layer.Argument("dilation") : Value.Int(1);
        var square = kernel.IsSquare && stride.IsSquare && padding.IsSquare && dilation.IsSquare;
        var name = isMax ? "MaxPool2d" : "AvgPool2d";
        return $"{Nn}{name}(" + Args(
            square ? Square(kernel) : Tuple(kernel),
            "stride: " + (square ? Square(stride) : Tuple(stride)),
            Spatial("padding", padding, 0, square),
            isMax ? Spatial("dilation", dilation, 1, square) : null,
            layer.Argument("ceil").AsBool ? "ceil_mode: true" : null,
            !isMax && !layer.Argument("count_include_pad").AsBool ? "count_include_pad: false" : null) + ")";
    }

    internal static string Pad(LayerModel layer)
    {
        var (ph, pw) = layer.Argument("padding").AsPair;
        var value = layer.Argument("value").ToCSharp();
        return ph == pw
            ? $"{Nn}ConstantPad2d({Long(ph)}, {value})"
            : $"{Nn}ConstantPad2d(({Long(pw)}, {Long(pw)}, {Long(ph)}, {Long(ph)}), {value})";
    }

    /// <summary><c>name: value</c>, or nothing for the constructor's default; a value a block class names is always written.</summary>
    private static string? Spatial(string name, Value value, long neutral, bool square)
    {
        var (a, b) = value.AsPair;
        if (!value.IsDynamic && a == neutral && b == neutral)
        {
            return null;
        }

        return $"{name}: " + (square ? Square(value) : Tuple(value));
    }

    /// <summary>One side of a square size: the number, or the expression that names it (a block class's parameter).</summary>
    private static string Square(Value value) => value.IsDynamic ? value.ToCSharp() : Long(value.AsPair.First);

    private static string Tuple(Value value)
    {
        if (value.IsDynamic)
        {
            // A named (int) size is square: TorchSharp takes the pair as both sides.
            return $"({value.ToCSharp()}, {value.ToCSharp()})";
        }

        var (a, b) = value.AsPair;
        return $"({Long(a)}, {Long(b)})";
    }

    internal static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>name: value</c>, or nothing when the value is the constructor's default (<paramref name="neutral"/>).</summary>
    internal static string? Named(LayerModel layer, string name, double neutral, string? csharpName = null)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsDouble == neutral ? null : $"{csharpName ?? name}: {value.ToCSharp()}";
    }

    internal static string? NamedBool(LayerModel layer, string name, string csharpName)
    {
        var value = layer.Argument(name);
        return !value.IsDynamic && value.AsBool ? null : $"{csharpName}: {value.ToCSharp()}";
    }

    internal static string Args(params string?[] arguments) => string.Join(", ", arguments.Where(a => a is not null));
}
