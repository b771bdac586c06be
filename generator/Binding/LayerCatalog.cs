using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Common;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Binding;

/// <summary>What an argument of a layer accepts.</summary>
public enum ArgumentType
{
    Int,
    Float,
    Bool,

    /// <summary>An int, or a pair (h, w) for rectangular kernels, strides and paddings.</summary>
    IntOrPair,

    /// <summary>An int, a pair, or <c>same</c> / <c>valid</c>.</summary>
    Padding,
}

/// <summary>
/// One argument of a layer. <paramref name="Default"/> null means required (unless <paramref name="Optional"/>).
/// Only arguments that do not decide shapes may depend on constructor parameters (<paramref name="AllowDynamic"/>).
/// </summary>
public sealed record ArgumentSpec(string Name, string? Alias, ArgumentType Type, Value? Default, bool AllowDynamic = false, bool Optional = false)
{
    public string Display => Alias is null ? Name : $"{Name} ({Alias})";
}

/// <summary>An argument matched to its parameter: its value (null: not given) and where it is written (empty: not written).</summary>
public readonly record struct BoundArgument(Value? Value, TextSpan Span);

/// <summary>The arguments of one layer call after binding, with the spans to blame. Slot i holds the spec's argument i.</summary>
public sealed class LayerCall
{
    private readonly LayerSpec _spec;
    private readonly BoundArgument[] _arguments;

    public LayerCall(LayerSpec spec, Shape input, TextSpan span, BoundArgument[] arguments, DiagnosticBag diagnostics)
    {
        _spec = spec;
        _arguments = arguments;
        Input = input;
        Span = span;
        Diagnostics = diagnostics;
    }

    public string Layer => _spec.Name;

    public Shape Input { get; }

    public TextSpan Span { get; }

    public DiagnosticBag Diagnostics { get; }

    /// <summary>The argument's value; <see cref="Value.Error"/> when the layer has no such argument or it was not given.</summary>
    public Value this[string name] => _spec.IndexOf(name) is var i and >= 0 ? _arguments[i].Value ?? Value.Error : Value.Error;

    public bool Has(string name) => _spec.IndexOf(name) is var i and >= 0 && _arguments[i].Value is not null;

    /// <summary>Where the argument is written; the call itself when it was not written (a default).</summary>
    public TextSpan SpanOf(string name) => _spec.IndexOf(name) is var i and >= 0 && !_arguments[i].Span.IsEmpty ? _arguments[i].Span : Span;
}

/// <summary>A layer's output shape, counts, and the arguments the emitter needs (inferred ones included).</summary>
public sealed record LayerResult(Shape Output, long Parameters, long Macs, IReadOnlyList<LayerArgument> Arguments);

/// <summary>What a layer does, as the tools, the graph and the in-place rules need to know it.</summary>
public enum LayerRole
{
    Convolution,
    Normalization,
    Activation,
    Pooling,
    Linear,

    /// <summary>Moves values without computing new ones: flatten, pad, permutes, channel shuffle.</summary>
    Rearrangement,

    /// <summary>Dropout and stochastic depth: the identity in evaluation.</summary>
    Regularization,

    /// <summary>A learnable tensor registered on the enclosing module under the statement's name (ConvNeXt's layer_scale).</summary>
    Parameter,

    Identity,
}

/// <summary>How a layer reads in C#: its TorchSharp (or NetGen) module type and its construction expression.</summary>
/// <param name="Type">The module's C# type, fully qualified.</param>
/// <param name="Construct">The construction expression; the flag says the layer may overwrite its input in place.</param>
public sealed record LayerEmission(Func<LayerModel, string> Type, Func<LayerModel, bool, string> Construct);

/// <summary>How a layer reads in Python: its <c>torch.nn</c> (or runtime module) construction; the flag says it may overwrite its input in place.</summary>
public delegate string PythonEmission(LayerModel layer, bool inPlace);

/// <summary>
/// A built-in layer, described once: its arguments, its shape, parameter and MAC rule, what it does,
/// and how each target writes it. The binder, the emitters, the tools and the documentation tests all read
/// this one record; a layer kind is never matched by its name anywhere else. Compared by reference: one
/// instance per layer for the life of the process.
/// </summary>
public sealed class LayerSpec
{
    public LayerSpec(string name, string summary, LayerRole role, IReadOnlyList<ArgumentSpec> arguments, Func<LayerCall, LayerResult?> infer, LayerEmission csharp, PythonEmission python, string example)
    {
        Name = name;
        Summary = summary;
        Role = role;
        Arguments = arguments;
        Infer = infer;
        CSharp = csharp;
        Python = python;
        Example = example;
        Parameters = arguments.Select(a => (a.Name, a.Alias)).ToList();
    }

    public string Name { get; }

    public string Summary { get; }

    public LayerRole Role { get; }

    public IReadOnlyList<ArgumentSpec> Arguments { get; }

    /// <summary>The shape rule with the parameter and MAC counts; null (after reporting) when the call is wrong.</summary>
    public Func<LayerCall, LayerResult?> Infer { get; }

    /// <summary>The C# emission (TorchSharp).</summary>
    public LayerEmission CSharp { get; }

    /// <summary>The Python emission (PyTorch): the same module, with the same state_dict keys and initialization.</summary>
    public PythonEmission Python { get; }

    /// <summary>A call of the layer on a valid input, "input | call" (e.g. "8x6x6 | conv(4, k=3)"): the catalog test binds, emits, compiles and runs each one.</summary>
    public string Example { get; }

    /// <summary>
    /// Whether the layer returns a tensor of its own that autograd does not keep, so an in-place
    /// activation after it (or a residual add into it) is safe for autograd and for callers.
    /// </summary>
    public bool MakesFreshTensor { get; init; }

    /// <summary>
    /// How many state_dict entries the layer holds (parameters and buffers: a convolution's weight and bias, a batch
    /// norm's five); none by default. A learnable <c>scale</c> counts its one tensor wherever it is registered.
    /// </summary>
    public Func<LayerModel, int> StateEntries { get; init; } = _ => 0;

    /// <summary>The arguments' names and aliases, made once: the binder matches every call of the layer against them.</summary>
    public IReadOnlyList<(string Name, string? Alias)> Parameters { get; }

    /// <summary>The index of an argument by its name; -1 when the layer has none of that name (shape rules shared by layers ask).</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (Arguments[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A network named <paramref name="className"/> that runs <see cref="Example"/> inside a group (where
    /// every layer, a learnable tensor included, may stand): what the catalog tests compile and run.
    /// </summary>
    public string ExampleNetwork(string className)
    {
        var bar = Example.IndexOf('|');
        var input = Example.Substring(0, bar).Trim().Trim('(', ')');
        var lines = Example.Substring(bar + 1).Split(';').Select(l => "    " + l.Trim());
        return $"network {className}\n  input {input}\n  example:\n{string.Join("\n", lines)}\n";
    }

    public override string ToString() => Name;
}

/// <summary>
/// Every built-in layer, with its arguments, shape inference, parameter and MAC counts, and emission.
/// The formulas are PyTorch's (see Conv2d, MaxPool2d, AvgPool2d docs); MACs count conv and linear only.
/// </summary>
public static class LayerCatalog
{
    private const string Nn = "global::TorchSharp.torch.nn.";
    private const string Modules = "global::TorchSharp.Modules.";

    private static readonly Dictionary<string, LayerSpec> Specs = Build().ToDictionary(s => s.Name);

    /// <summary>The activations, by name: the layers a 'then' clause most often names.</summary>
    public static IReadOnlyList<string> Activations { get; } = Specs.Values.Where(s => s.Role == LayerRole.Activation).Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static IEnumerable<LayerSpec> All => Specs.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out LayerSpec spec) => Specs.TryGetValue(name, out spec!);

    private static LayerEmission TorchSharpModule(string type, Func<LayerModel, bool, string> construct) => new(_ => Modules + type, construct);

    private static LayerEmission NetGenType(string type, Func<LayerModel, bool, string> construct) => new(_ => "global::NetGen." + type, construct);

    /// <summary>A layer without arguments: <c>nn.Type()</c>, or <c>nn.Type(inplace: true)</c> where it may overwrite its input.</summary>
    private static LayerEmission Plain(string type, bool inPlaceable = false) =>
        TorchSharpModule(type, (_, inPlace) => inPlaceable && inPlace ? $"{Nn}{type}(inplace: true)" : $"{Nn}{type}()");

    /// <summary>A layer without arguments in Python: <c>nn.Type()</c>, or <c>nn.Type(inplace=True)</c> where it may overwrite its input.</summary>
    private static PythonEmission PythonPlain(string type, bool inPlaceable = false) =>
        (_, inPlace) => PythonLayerEmitter.Plain(type, inPlaceable, inPlace);

    private static IEnumerable<LayerSpec> Build()
    {
        var convArguments = new[]
        {
            new ArgumentSpec("out_channels", "out", ArgumentType.Int, null, AllowDynamic: true),
            new ArgumentSpec("kernel", "k", ArgumentType.IntOrPair, null),
            new ArgumentSpec("stride", "s", ArgumentType.IntOrPair, Value.Int(1)),
            new ArgumentSpec("padding", "p", ArgumentType.Padding, Value.Int(0)),
            new ArgumentSpec("dilation", "d", ArgumentType.IntOrPair, Value.Int(1)),
            new ArgumentSpec("groups", "g", ArgumentType.Int, Value.Int(1)),
            new ArgumentSpec("bias", null, ArgumentType.Bool, Value.True, AllowDynamic: true),
        };
        yield return new LayerSpec("conv", "2-D convolution (nn.Conv2d)", LayerRole.Convolution, convArguments, Conv,
            TorchSharpModule("Conv2d", (layer, _) => LayerEmitter.Conv(layer)), (layer, _) => PythonLayerEmitter.Conv(layer), "8x6x6 | conv(4, k=3, s=2, p=1)") { MakesFreshTensor = true, StateEntries = WeightAndBias };

        yield return new LayerSpec("wsconv", "weight-standardized convolution (BiT's StdConv2d; NetGen.WeightStandardizedConv2d)", LayerRole.Convolution,
            convArguments.Concat(new[] { new ArgumentSpec("eps", null, ArgumentType.Float, Value.Float(1e-10), AllowDynamic: true) }).ToArray(), Conv,
            NetGenType("WeightStandardizedConv2d", (layer, _) => LayerEmitter.WeightStandardizedConv(layer)), (layer, _) => PythonLayerEmitter.WeightStandardizedConv(layer), "8x6x6 | wsconv(4, k=3, p=1, bias=false)") { MakesFreshTensor = true, StateEntries = WeightAndBias };

        yield return new LayerSpec("batchnorm", "batch normalization over channels (nn.BatchNorm2d)", LayerRole.Normalization, new[]
        {
            new ArgumentSpec("eps", null, ArgumentType.Float, Value.Float(1e-5), AllowDynamic: true),
            new ArgumentSpec("momentum", null, ArgumentType.Float, Value.Float(0.1), AllowDynamic: true),
        }, BatchNorm, TorchSharpModule("BatchNorm2d", (layer, _) => $"{Nn}BatchNorm2d({LayerEmitter.Args(layer.Argument("num_features").ToCSharp(), LayerEmitter.Named(layer, "eps", 1e-5), LayerEmitter.Named(layer, "momentum", 0.1))})"),
            (layer, _) => PythonLayerEmitter.BatchNorm(layer), "8x6x6 | batchnorm(eps=0.001)") { MakesFreshTensor = true, StateEntries = _ => 5 };

        // Through NetGen.Norm: TorchSharp 0.107's GroupNorm leaves its weight and bias uninitialized.
        yield return new LayerSpec("groupnorm", "group normalization (nn.GroupNorm)", LayerRole.Normalization, new[]
        {
            new ArgumentSpec("groups", "g", ArgumentType.Int, null),
            new ArgumentSpec("eps", null, ArgumentType.Float, Value.Float(1e-5), AllowDynamic: true),
        }, GroupNorm, TorchSharpModule("GroupNorm", (layer, _) => $"global::NetGen.Norm.GroupNorm({LayerEmitter.Args(layer.Argument("groups").ToCSharp(), layer.Argument("num_channels").ToCSharp(), LayerEmitter.Named(layer, "eps", 1e-5))})"),
            (layer, _) => PythonLayerEmitter.GroupNorm(layer), "8x6x6 | groupnorm(4)") { MakesFreshTensor = true, StateEntries = _ => 2 };

        yield return new LayerSpec("layernorm", "layer normalization over the channels of each position (torchvision's LayerNorm2d; nn.LayerNorm on features or channels-last maps)", LayerRole.Normalization, new[]
        {
            new ArgumentSpec("eps", null, ArgumentType.Float, Value.Float(1e-5), AllowDynamic: true),
        }, LayerNorm, new LayerEmission(
            layer => layer.Input.IsChannelsFirst ? "global::NetGen.LayerNorm2d" : Modules + "LayerNorm",
            (layer, _) => layer.Input.IsChannelsFirst
                ? $"new global::NetGen.LayerNorm2d({LayerEmitter.Args(layer.Argument("normalized_shape").ToCSharp(), LayerEmitter.Named(layer, "eps", 1e-5))})"
                : $"{Nn}LayerNorm({LayerEmitter.Args("new long[] { " + layer.Argument("normalized_shape").ToCSharp() + " }", LayerEmitter.Named(layer, "eps", 1e-5))})"),
            (layer, _) => PythonLayerEmitter.LayerNorm(layer), "8x6x6 | layernorm(eps=1e-6)") { MakesFreshTensor = true, StateEntries = _ => 2 };

        yield return Activation("relu", "max(0, x) (nn.ReLU)", Plain("ReLU", inPlaceable: true), PythonPlain("ReLU", inPlaceable: true));
        yield return Activation("relu6", "min(max(0, x), 6) (nn.ReLU6)", Plain("ReLU6", inPlaceable: true), PythonPlain("ReLU6", inPlaceable: true));
        yield return Activation("silu", "x · sigmoid(x) (nn.SiLU)", Plain("SiLU"), PythonPlain("SiLU"));
        yield return Activation("sigmoid", "1 / (1 + e^-x) (nn.Sigmoid)", Plain("Sigmoid"), PythonPlain("Sigmoid"));
        yield return Activation("gelu", "Gaussian error linear unit (nn.GELU)", Plain("GELU"), PythonPlain("GELU"));
        yield return Activation("hardswish", "x · relu6(x + 3) / 6 (nn.Hardswish)", Plain("Hardswish"), PythonPlain("Hardswish"));
        yield return Activation("hardsigmoid", "relu6(x + 3) / 6 (nn.Hardsigmoid; MobileNetV3's gate)", Plain("Hardsigmoid"), PythonPlain("Hardsigmoid"));
        yield return Activation("tanh", "hyperbolic tangent (nn.Tanh)", Plain("Tanh"), PythonPlain("Tanh"));
        yield return Activation("mish", "x · tanh(softplus(x)) (nn.Mish)", Plain("Mish"), PythonPlain("Mish"));
        yield return Activation("leaky_relu", "max(0, x) + slope · min(0, x) (nn.LeakyReLU)", TorchSharpModule("LeakyReLU", (layer, inPlace) =>
            $"{Nn}LeakyReLU({LayerEmitter.Args(LayerEmitter.Named(layer, "slope", 0.01, "negative_slope"), inPlace ? "inplace: true" : null)})"),
            (layer, inPlace) => PythonLayerEmitter.Activation(layer, "LeakyReLU", "slope", 0.01, "negative_slope", inPlace), "slope", 0.01, "leaky_relu(0.2)");
        yield return Activation("elu", "x if x > 0, else alpha · (e^x - 1) (nn.ELU)", TorchSharpModule("ELU", (layer, inPlace) =>
            $"{Nn}ELU({LayerEmitter.Args(LayerEmitter.Named(layer, "alpha", 1.0), inPlace ? "inplace: true" : null)})"),
            (layer, inPlace) => PythonLayerEmitter.Activation(layer, "ELU", "alpha", 1.0, "alpha", inPlace), "alpha", 1.0, "elu(alpha=0.5)");

        yield return new LayerSpec("maxpool", "max pooling (nn.MaxPool2d)", LayerRole.Pooling, new[]
        {
            new ArgumentSpec("kernel", "k", ArgumentType.IntOrPair, null),
            new ArgumentSpec("stride", "s", ArgumentType.IntOrPair, null, Optional: true),
            new ArgumentSpec("padding", "p", ArgumentType.IntOrPair, Value.Int(0)),
            new ArgumentSpec("dilation", "d", ArgumentType.IntOrPair, Value.Int(1)),
            new ArgumentSpec("ceil", null, ArgumentType.Bool, Value.False),
        }, call => Pool(call, dilated: true), TorchSharpModule("MaxPool2d", (layer, _) => LayerEmitter.Pool(layer, isMax: true)), (layer, _) => PythonLayerEmitter.Pool(layer, isMax: true),
            "8x7x7 | maxpool(k=3, s=2, ceil=true)") { MakesFreshTensor = true };

        yield return new LayerSpec("avgpool", "average pooling (nn.AvgPool2d)", LayerRole.Pooling, new[]
        {
            new ArgumentSpec("kernel", "k", ArgumentType.IntOrPair, null),
            new ArgumentSpec("stride", "s", ArgumentType.IntOrPair, null, Optional: true),
            new ArgumentSpec("padding", "p", ArgumentType.IntOrPair, Value.Int(0)),
            new ArgumentSpec("ceil", null, ArgumentType.Bool, Value.False),
            new ArgumentSpec("count_include_pad", null, ArgumentType.Bool, Value.True),
        }, call => Pool(call, dilated: false), TorchSharpModule("AvgPool2d", (layer, _) => LayerEmitter.Pool(layer, isMax: false)), (layer, _) => PythonLayerEmitter.Pool(layer, isMax: false),
            "8x6x6 | avgpool(k=3, s=1, p=1, count_include_pad=false)") { MakesFreshTensor = true };

        yield return new LayerSpec("adaptive_avgpool", "adaptive average pooling to a fixed size (nn.AdaptiveAvgPool2d)", LayerRole.Pooling, new[]
        {
            new ArgumentSpec("size", null, ArgumentType.IntOrPair, Value.Int(1)),
        }, AdaptivePool, TorchSharpModule("AdaptiveAvgPool2d", (layer, _) =>
        {
            var size = layer.Argument("size");
            return $"{Nn}AdaptiveAvgPool2d({(size.IsSquare ? LayerEmitter.Long(size.AsPair.First) : size.ToCSharp())})";
        }), (layer, _) => PythonLayerEmitter.AdaptiveAveragePool(layer), "8x6x6 | adaptive_avgpool(2)") { MakesFreshTensor = true };

        yield return new LayerSpec("pad", "constant padding on every side (nn.ConstantPad2d)", LayerRole.Rearrangement, new[]
        {
            new ArgumentSpec("padding", "p", ArgumentType.IntOrPair, null),
            new ArgumentSpec("value", null, ArgumentType.Float, Value.Float(0), AllowDynamic: true),
        }, Pad, TorchSharpModule("ConstantPad2d", (layer, _) => LayerEmitter.Pad(layer)), (layer, _) => PythonLayerEmitter.Pad(layer), "8x6x6 | pad((0, 1))") { MakesFreshTensor = true };

        yield return new LayerSpec("channel_shuffle", "interleaves the channels of 'groups' groups (nn.ChannelShuffle; ShuffleNet)", LayerRole.Rearrangement, new[]
        {
            new ArgumentSpec("groups", "g", ArgumentType.Int, null),
        }, ChannelShuffle, TorchSharpModule("ChannelShuffle", (layer, _) => $"{Nn}ChannelShuffle({layer.Argument("groups").ToCSharp()})"),
            (layer, _) => PythonLayerEmitter.RuntimeLayer($"ChannelShuffle({layer.Argument("groups").ToPython()})"), "8x6x6 | channel_shuffle(2)");

        yield return new LayerSpec("channels_last", "permutes a channels x height x width map to height x width x channels (torchvision's Permute([0, 2, 3, 1]))", LayerRole.Rearrangement,
            Array.Empty<ArgumentSpec>(), call => Permute(call, toChannelsLast: true), NetGenType("Permute", (_, _) => "global::NetGen.Permute.ToChannelsLast()"),
            (_, _) => PythonLayerEmitter.RuntimeLayer("Permute(0, 2, 3, 1)"), "8x6x6 | channels_last");

        yield return new LayerSpec("channels_first", "permutes a height x width x channels map back to channels x height x width (torchvision's Permute([0, 3, 1, 2]))", LayerRole.Rearrangement,
            Array.Empty<ArgumentSpec>(), call => Permute(call, toChannelsLast: false), NetGenType("Permute", (_, _) => "global::NetGen.Permute.ToChannelsFirst()"),
            (_, _) => PythonLayerEmitter.RuntimeLayer("Permute(0, 3, 1, 2)"), "8x6x6 | channels_last; channels_first");

        yield return new LayerSpec("stochastic_depth", "drops whole samples' residual branches in training (torchvision's StochasticDepth, row mode)", LayerRole.Regularization, new[]
        {
            new ArgumentSpec("p", null, ArgumentType.Float, null, AllowDynamic: true),
        }, StochasticDepth, NetGenType("StochasticDepth", (layer, _) => $"new global::NetGen.StochasticDepth({layer.Argument("p").ToCSharp()})"),
            (layer, _) => PythonLayerEmitter.RuntimeLayer($"StochasticDepth({layer.Argument("p").ToPython()})"), "8x6x6 | stochastic_depth(0.2)");

        yield return new LayerSpec("flatten", "channels x height x width to flat features (nn.Flatten)", LayerRole.Rearrangement, Array.Empty<ArgumentSpec>(), Flatten,
            Plain("Flatten"), PythonPlain("Flatten"), "8x6x6 | flatten");

        yield return new LayerSpec("dropout", "dropout (nn.Dropout)", LayerRole.Regularization, new[]
        {
            new ArgumentSpec("p", null, ArgumentType.Float, Value.Float(0.5), AllowDynamic: true),
        }, Dropout, TorchSharpModule("Dropout", (layer, _) => $"{Nn}Dropout({layer.Argument("p").ToCSharp()})"),
            (layer, _) => PythonLayerEmitter.TorchLayer($"Dropout({layer.Argument("p").ToPython()})"), "(8) | dropout(0.3)");

        yield return new LayerSpec("linear", "fully connected layer on flat features, or on the channels of each position of a channels-last map (nn.Linear)", LayerRole.Linear, new[]
        {
            new ArgumentSpec("out_features", "out", ArgumentType.Int, null, AllowDynamic: true),
            new ArgumentSpec("bias", null, ArgumentType.Bool, Value.True, AllowDynamic: true),
        }, Linear, TorchSharpModule("Linear", (layer, _) =>
            $"{Nn}Linear({LayerEmitter.Args(layer.Argument("in_features").ToCSharp(), layer.Argument("out_features").ToCSharp(), LayerEmitter.NamedBool(layer, "bias", "hasBias"))})"),
            (layer, _) => PythonLayerEmitter.Linear(layer), "(8) | linear(4)") { MakesFreshTensor = true, StateEntries = WeightAndBias };

        yield return new LayerSpec("scale", "multiplies by a learnable tensor (one value per channel, starting at 'init') registered on the enclosing module under the statement's name (ConvNeXt's layer_scale)", LayerRole.Parameter, new[]
        {
            new ArgumentSpec("init", null, ArgumentType.Float, Value.Float(1.0), AllowDynamic: true),
        }, Scale, NetGenType("Scale", (layer, _) => $"new global::NetGen.Scale(new long[] {{ {layer.Input.ChannelsCSharp}{(layer.Input.IsChannelsFirst ? ", 1, 1" : string.Empty)} }}, {layer.Argument("init").ToCSharp()})"),
            (layer, _) => PythonLayerEmitter.Scale(layer), "8x6x6 | scale(1e-6)") { StateEntries = _ => 1 };

        yield return new LayerSpec("identity", "passes its input through (nn.Identity)", LayerRole.Identity, Array.Empty<ArgumentSpec>(), call => Same(call),
            Plain("Identity"), PythonPlain("Identity"), "8x6x6 | identity");
    }

    /// <summary>A weight, and a bias unless the layer says bias=false (a bias decided by a constructor parameter counts as its default).</summary>
    private static int WeightAndBias(LayerModel layer) => layer.Argument("bias").AsBool ? 2 : 1;

    private static LayerSpec Activation(string name, string summary, LayerEmission csharp, PythonEmission python) =>
        new(name, summary, LayerRole.Activation, Array.Empty<ArgumentSpec>(), call => Same(call), csharp, python, "8x6x6 | " + name);

    /// <summary>An activation with one float argument (its slope or alpha), kept for the emitter.</summary>
    private static LayerSpec Activation(string name, string summary, LayerEmission csharp, PythonEmission python, string argument, double fallback, string example) =>
        new(name, summary, LayerRole.Activation, new[] { new ArgumentSpec(argument, null, ArgumentType.Float, Value.Float(fallback), AllowDynamic: true) },
            call => new LayerResult(call.Input, 0, 0, new[] { new LayerArgument(argument, call[argument]) }), csharp, python, "8x6x6 | " + example);

    private static LayerResult Same(LayerCall call) => new(call.Input, 0, 0, Array.Empty<LayerArgument>());

    /// <summary>Convolutions, pools and batch statistics need a channels x height x width map in PyTorch's layout.</summary>
    private static bool RequireSpatial(LayerCall call)
    {
        if (call.Input.IsChannelsFirst)
        {
            return true;
        }

        if (call.Input.IsFlat)
        {
            call.Diagnostics.NeedsSpatialInput(call.Span, call.Layer, call.Input.ToString());
        }
        else
        {
            call.Diagnostics.NeedsChannelsFirst(call.Span, call.Layer, call.Input.ToString());
        }

        return false;
    }

    private static bool Positive(LayerCall call, string name, bool allowZero = false)
    {
        var (a, b) = call[name].AsPair;
        var min = allowZero ? 0 : 1;
        if (a >= min && b >= min)
        {
            return true;
        }

        call.Diagnostics.InvalidValue(call.SpanOf(name), $"'{name}' of '{call.Layer}'", allowZero ? "0 or more" : "1 or more", call[name].Display);
        return false;
    }

    private static LayerResult? Conv(LayerCall call)
    {
        if (!RequireSpatial(call))
        {
            return null;
        }

        var input = call.Input;
        var outChannels = call["out_channels"];
        var groups = call["groups"].Integer;
        var bias = call["bias"].AsBool;
        if (!Positive(call, "out_channels") || !Positive(call, "kernel") || !Positive(call, "stride") || !Positive(call, "dilation") || !Positive(call, "groups"))
        {
            return null;
        }

        if (input.ChannelsExpression is null && input.Channels % groups != 0)
        {
            call.Diagnostics.GroupsDoNotDivide(call.SpanOf("groups"), "input channels", input.Channels, groups);
            return null;
        }

        if (outChannels.Dynamic is null && outChannels.Integer % groups != 0)
        {
            call.Diagnostics.GroupsDoNotDivide(call.SpanOf("groups"), "output channels", outChannels.Integer, groups);
            return null;
        }

        var (kh, kw) = call["kernel"].AsPair;
        var (sh, sw) = call["stride"].AsPair;
        var (dh, dw) = call["dilation"].AsPair;
        var padding = ResolvePadding(call, kh, kw, sh, sw, dh, dw);
        if (padding is not { } p)
        {
            return null;
        }

        var h = ConvolvedSize(input.Height, kh, sh, p.Item1, dh, ceil: false);
        var w = ConvolvedSize(input.Width, kw, sw, p.Item2, dw, ceil: false);
        if (!CheckSize(call, h, w, (kh, kw), (sh, sw), p))
        {
            return null;
        }

        var perFilter = SafeMath.Multiply(input.Channels / groups, kh, kw);
        var parameters = SafeMath.Add(SafeMath.Multiply(outChannels.Integer, perFilter), bias ? outChannels.Integer : 0);
        var macs = SafeMath.Multiply(SafeMath.Multiply(outChannels.Integer, h, w), perFilter);
        var output = Shape.Spatial(outChannels.Integer, h, w, outChannels.Dynamic);
        var arguments = new List<LayerArgument>
        {
            new LayerArgument("in_channels", input.ChannelsValue),
            new LayerArgument("out_channels", outChannels),
            new LayerArgument("kernel", call["kernel"]),
            new LayerArgument("stride", call["stride"]),
            new LayerArgument("padding", Value.Pair(p.Item1, p.Item2)),
            new LayerArgument("dilation", call["dilation"]),
            new LayerArgument("groups", call["groups"]),
            new LayerArgument("bias", call["bias"]),
        };
        if (call.Has("eps"))
        {
            arguments.Add(new LayerArgument("eps", call["eps"]));
        }

        return new LayerResult(output, parameters, macs, arguments);
    }

    private static (long, long)? ResolvePadding(LayerCall call, long kh, long kw, long sh, long sw, long dh, long dw)
    {
        var padding = call["padding"];
        if (padding.Kind != ValueKind.Symbol)
        {
            return Positive(call, "padding", allowZero: true) ? padding.AsPair : null;
        }

        if (padding.Symbol == "valid")
        {
            return (0, 0);
        }

        // PyTorch's padding='same' keeps the size only for stride 1; we accept it where it is symmetric.
        if (sh != 1 || sw != 1)
        {
            call.Diagnostics.SamePaddingImpossible(call.SpanOf("padding"), $"stride {Pair(sh, sw)} changes the size whatever the padding");
            return null;
        }

        var eh = (dh * (kh - 1)) + 1;
        var ew = (dw * (kw - 1)) + 1;
        if (eh % 2 == 0 || ew % 2 == 0)
        {
            call.Diagnostics.SamePaddingImpossible(call.SpanOf("padding"), $"the kernel spans {Pair(eh, ew)}, an even size that needs uneven padding");
            return null;
        }

        return ((eh - 1) / 2, (ew - 1) / 2);
    }

    private static string Pair(long a, long b) => a == b
        ? a.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{a.ToString(System.Globalization.CultureInfo.InvariantCulture)}x{b.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>PyTorch's output size: floor or ceil((n + 2p - d(k-1) - 1) / s) + 1; in ceil mode the last window must start inside the input or left padding.</summary>
    public static long ConvolvedSize(long size, long kernel, long stride, long padding, long dilation, bool ceil)
    {
        var span = SafeMath.Add(SafeMath.Add(size, 2 * padding), -((dilation * (kernel - 1)) + 1));
        if (span < 0)
        {
            return span < -stride ? -1 : 0;
        }

        var output = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (output - 1) * stride >= size + padding)
        {
            output--;
        }

        return output;
    }

    private static bool CheckSize(LayerCall call, long h, long w, (long, long) kernel, (long, long) stride, (long, long) padding)
    {
        if (h > 0 && w > 0)
        {
            return true;
        }

        var settings = $"kernel {Pair(kernel.Item1, kernel.Item2)}, stride {Pair(stride.Item1, stride.Item2)}, padding {Pair(padding.Item1, padding.Item2)}";
        var hint = $"with {settings} the map vanishes: use a larger input, a smaller kernel or stride, or more padding";
        call.Diagnostics.SizeVanishes(call.Span, call.Layer, $"{call.Input.Height}x{call.Input.Width}", $"{Math.Max(h, 0)}x{Math.Max(w, 0)}", hint);
        return false;
    }

    private static LayerResult? BatchNorm(LayerCall call)
    {
        if (!RequireSpatial(call))
        {
            return null;
        }

        var channels = call.Input.Channels;
        return new LayerResult(call.Input, SafeMath.Multiply(2, channels), 0, new[]
        {
            new LayerArgument("num_features", call.Input.ChannelsValue),
            new LayerArgument("eps", call["eps"]),
            new LayerArgument("momentum", call["momentum"]),
        });
    }

    /// <summary>A channels-first map whose (known) channel count the positive 'groups' divides.</summary>
    private static bool GroupsDivideChannels(LayerCall call)
    {
        if (!RequireSpatial(call) || !Positive(call, "groups"))
        {
            return false;
        }

        var groups = call["groups"].Integer;
        if (call.Input.ChannelsExpression is null && call.Input.Channels % groups != 0)
        {
            call.Diagnostics.GroupsDoNotDivide(call.SpanOf("groups"), "channels", call.Input.Channels, groups);
            return false;
        }

        return true;
    }

    private static LayerResult? GroupNorm(LayerCall call)
    {
        if (!GroupsDivideChannels(call))
        {
            return null;
        }

        return new LayerResult(call.Input, SafeMath.Multiply(2, call.Input.Channels), 0, new[]
        {
            new LayerArgument("groups", call["groups"]),
            new LayerArgument("num_channels", call.Input.ChannelsValue),
            new LayerArgument("eps", call["eps"]),
        });
    }

    private static LayerResult? Pool(LayerCall call, bool dilated)
    {
        if (!RequireSpatial(call) || !Positive(call, "kernel") || !Positive(call, "padding", allowZero: true))
        {
            return null;
        }

        var kernel = call["kernel"];
        var stride = call.Has("stride") ? call["stride"] : kernel;
        if (call.Has("stride") && !Positive(call, "stride"))
        {
            return null;
        }

        var dilation = dilated ? call["dilation"] : Value.Int(1);
        if (dilated && !Positive(call, "dilation"))
        {
            return null;
        }

        var (kh, kw) = kernel.AsPair;
        var (sh, sw) = stride.AsPair;
        var (ph, pw) = call["padding"].AsPair;
        var (dh, dw) = dilation.AsPair;
        if (ph * 2 > kh || pw * 2 > kw)
        {
            call.Diagnostics.InvalidValue(call.SpanOf("padding"), $"'padding' of '{call.Layer}'", $"at most half the kernel ({Pair(kh / 2, kw / 2)})", call["padding"].Display);
            return null;
        }

        var ceil = call["ceil"].AsBool;
        var h = ConvolvedSize(call.Input.Height, kh, sh, ph, dh, ceil);
        var w = ConvolvedSize(call.Input.Width, kw, sw, pw, dw, ceil);
        if (!CheckSize(call, h, w, (kh, kw), (sh, sw), (ph, pw)))
        {
            return null;
        }

        var arguments = new List<LayerArgument>
        {
            new("kernel", kernel),
            new("stride", stride),
            new("padding", call["padding"]),
        };
        if (dilated)
        {
            arguments.Add(new LayerArgument("dilation", dilation));
        }

        arguments.Add(new LayerArgument("ceil", call["ceil"]));
        if (!dilated)
        {
            arguments.Add(new LayerArgument("count_include_pad", call["count_include_pad"]));
        }

        return new LayerResult(Shape.Spatial(call.Input.Channels, h, w, call.Input.ChannelsExpression), 0, 0, arguments);
    }

    private static LayerResult? AdaptivePool(LayerCall call)
    {
        if (!RequireSpatial(call) || !Positive(call, "size"))
        {
            return null;
        }

        var (h, w) = call["size"].AsPair;
        return new LayerResult(Shape.Spatial(call.Input.Channels, h, w, call.Input.ChannelsExpression), 0, 0, new[] { new LayerArgument("size", call["size"]) });
    }

    private static LayerResult? Flatten(LayerCall call)
    {
        if (call.Input.IsFlat)
        {
            return Same(call);
        }

        if (!RequireSpatial(call))
        {
            return null;
        }

        var input = call.Input;
        var features = SafeMath.Multiply(input.Channels, input.Height, input.Width);
        var expression = input.ChannelsExpression is null ? null : new RuntimeBinary(RuntimeOperator.Multiply, input.ChannelsExpression, new RuntimeConstant(Value.Int(input.Height * input.Width)), Floats: false);
        return new LayerResult(Shape.Flat(features, expression), 0, 0, Array.Empty<LayerArgument>());
    }

    private static LayerResult? LayerNorm(LayerCall call)
    {
        var channels = call.Input.Channels;
        return new LayerResult(call.Input, SafeMath.Multiply(2, channels), 0, new[]
        {
            new LayerArgument("normalized_shape", call.Input.ChannelsValue),
            new LayerArgument("eps", call["eps"]),
        });
    }

    private static LayerResult? ChannelShuffle(LayerCall call)
    {
        if (!GroupsDivideChannels(call))
        {
            return null;
        }

        return new LayerResult(call.Input, 0, 0, new[] { new LayerArgument("groups", call["groups"]) });
    }

    private static LayerResult? Permute(LayerCall call, bool toChannelsLast)
    {
        if (toChannelsLast && !RequireSpatial(call))
        {
            return null;
        }

        if (!toChannelsLast && !call.Input.ChannelsLast)
        {
            call.Diagnostics.NeedsChannelsLast(call.Span, call.Layer, call.Input.ToString());
            return null;
        }

        return new LayerResult(call.Input with { ChannelsLast = toChannelsLast }, 0, 0, Array.Empty<LayerArgument>());
    }

    /// <summary>One learnable value per channel: [C, 1, 1] on a channels-first map, [C] on features or channels-last.</summary>
    private static LayerResult? Scale(LayerCall call) =>
        new(call.Input, call.Input.Channels, 0, new[] { new LayerArgument("channels", call.Input.ChannelsValue), new LayerArgument("init", call["init"]) });

    private static LayerResult? Pad(LayerCall call)
    {
        if (!RequireSpatial(call) || !Positive(call, "padding", allowZero: true))
        {
            return null;
        }

        var (ph, pw) = call["padding"].AsPair;
        var input = call.Input;
        var output = Shape.Spatial(input.Channels, SafeMath.Add(input.Height, 2 * ph), SafeMath.Add(input.Width, 2 * pw), input.ChannelsExpression);
        return new LayerResult(output, 0, 0, new[] { new LayerArgument("padding", call["padding"]), new LayerArgument("value", call["value"]) });
    }

    private static LayerResult? StochasticDepth(LayerCall call) => Probability(call, "the drop probability 'p'");

    private static LayerResult? Dropout(LayerCall call) => Probability(call, "the dropout probability 'p'");

    /// <summary>A shape-keeping layer whose one argument 'p' is a probability.</summary>
    private static LayerResult? Probability(LayerCall call, string what)
    {
        var p = call["p"];
        if (p.AsDouble < 0 || p.AsDouble > 1)
        {
            call.Diagnostics.InvalidValue(call.SpanOf("p"), what, "between 0 and 1", p.Display);
            return null;
        }

        return new LayerResult(call.Input, 0, 0, new[] { new LayerArgument("p", p) });
    }

    private static LayerResult? Linear(LayerCall call)
    {
        if (call.Input.IsChannelsFirst)
        {
            call.Diagnostics.NeedsFlatInput(call.Span, call.Layer, call.Input.ToString());
            return null;
        }

        if (!Positive(call, "out_features"))
        {
            return null;
        }

        var input = call.Input;
        var inFeatures = input.Channels;
        var outFeatures = call["out_features"];
        var bias = call["bias"].AsBool;
        var parameters = SafeMath.Add(SafeMath.Multiply(inFeatures, outFeatures.Integer), bias ? outFeatures.Integer : 0);

        // On a channels-last map the layer runs at every position.
        var positions = input.IsFlat ? 1 : SafeMath.Multiply(input.Height, input.Width);
        var macs = SafeMath.Multiply(SafeMath.Multiply(inFeatures, outFeatures.Integer), positions);
        return new LayerResult(input.WithChannels(outFeatures.Integer, outFeatures.Dynamic), parameters, macs, new[]
        {
            new LayerArgument("in_features", input.ChannelsValue),
            new LayerArgument("out_features", outFeatures),
            new LayerArgument("bias", call["bias"]),
        });
    }
}
