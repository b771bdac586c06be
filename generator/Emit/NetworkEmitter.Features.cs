using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

// A network with a 'taps' line gets a FeatureMaps record (the tapped tensors, their shapes as constants)
// and ForwardFeatures, which runs the main path up to the last tap. Sequences on a tap's path run child
// by child, so a tap inside one ('features.3') is read where it is made.
public sealed partial class NetworkEmitter
{
    /// <summary>Members a tap's property or constant may not take: the record's own and object's.</summary>
    private static readonly string[] FeatureMapsMembers =
    {
        "FeatureMaps", "Dispose", "ToArray", "Channels", "ToString", "Equals", "GetHashCode", "GetType", "Deconstruct", "EqualityContract", "PrintMembers",
        "MemberwiseClone", "Finalize", "ReferenceEquals", "Clone",
    };

    /// <summary>Locals of ForwardFeatures that a tap's local may not take.</summary>
    private static readonly string[] FeatureLocals = { "input", "scope", "x" };

    private void WriteFeatures(SourceWriter writer)
    {
        var taps = _network.Taps;
        if (taps.Count == 0)
        {
            return;
        }

        var properties = TapProperties(taps);
        var locals = TapLocals(taps);
        writer.WriteLine();
        writer.WriteLine("/// <summary>The feature maps the DSL's 'taps' line names, as a detection or segmentation head reads them; the owner disposes them.</summary>");
        foreach (var tap in taps)
        {
            writer.WriteLine($"/// <param name=\"{properties[tap.Name]}\">The output of '{Xml(tap.DslPath)}', shaped (N, {tap.Shape.Dimensions}).</param>");
        }

        writer.WriteLine($"public sealed record FeatureMaps({string.Join(", ", taps.Select(t => $"{Tensor} {properties[t.Name]}"))}) : global::System.IDisposable");
        writer.OpenBrace();
        foreach (var tap in taps)
        {
            WriteTapConstants(writer, tap, properties[tap.Name]);
        }

        writer.WriteLine("/// <summary>The maps' channel counts in the taps line's order, as a neck over the maps (a feature pyramid) is built from them.</summary>");
        writer.WriteLine($"public static global::System.ReadOnlySpan<long> Channels => new long[] {{ {string.Join(", ", taps.Select(t => properties[t.Name] + "Channels"))} }};");
        writer.WriteLine();
        writer.WriteLine("/// <summary>The maps in the taps line's order (the same tensors: disposing this record disposes them).</summary>");
        writer.WriteLine($"public {Tensor}[] ToArray() => new[] {{ {string.Join(", ", taps.Select(t => properties[t.Name]))} }};");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Disposes every map.</summary>");
        writer.WriteLine("public void Dispose()");
        writer.OpenBrace();
        foreach (var tap in taps)
        {
            writer.WriteLine($"{properties[tap.Name]}.Dispose();");
        }

        writer.CloseBrace();
        writer.CloseBrace();
        writer.WriteLine();
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// Runs the network on a batch shaped (N, {_network.Input.Dimensions}) up to its last tap and returns the tapped");
        writer.WriteLine("/// feature maps (a backbone's stage outputs); the caller owns them. The layers are those of <see cref=\"forward\"/>.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine($"public FeatureMaps ForwardFeatures({Tensor} input)");
        writer.OpenBrace();
        writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
        var steps = TapSteps.Plan(_network);
        for (var i = 0; i < steps.Count; i++)
        {
            var call = StepModule(steps[i]) + ".call";
            var tapped = steps[i].Taps;
            writer.WriteLine(i == 0 ? $"var x = {call}(input);" : $"x = {call}(x);");
            // A tap shares the step's tensor; the next step may write into it in place (a ReLU after a
            // norm), so the tap then keeps a copy.
            var copy = i + 1 < steps.Count && steps[i + 1].InPlace ? "clone" : "alias";
            foreach (var tap in tapped)
            {
                writer.WriteLine($"var {locals[tap.Name]} = x.{copy}();");
            }
        }

        writer.WriteLine($"return new FeatureMaps({string.Join(", ", taps.Select(t => locals[t.Name] + ".MoveToOuterDisposeScope()"))});");
        writer.CloseBrace();
    }

    private void WriteTapConstants(SourceWriter writer, TapModel tap, string property)
    {
        writer.WriteLine($"/// <summary>The shape of one sample of <see cref=\"{property}\"/> ('{Xml(tap.DslPath)}'): {tap.Shape} (with the default constructor arguments).</summary>");
        writer.WriteLine($"public static global::System.ReadOnlySpan<long> {property}Shape => new long[] {{ {tap.Shape.Dimensions} }};");
        writer.WriteLine();
        writer.WriteLine($"/// <summary>The channels (or features) of <see cref=\"{property}\"/>.</summary>");
        writer.WriteLine($"public const long {property}Channels = {Literal(tap.Shape.Channels)};");
        writer.WriteLine();
        if (Stride(tap.Shape) is { } stride)
        {
            writer.WriteLine($"/// <summary>How many input pixels one position of <see cref=\"{property}\"/> steps over: the input's size divided by the map's.</summary>");
            writer.WriteLine($"public const long {property}Stride = {Literal(stride)};");
            writer.WriteLine();
        }
    }

    /// <summary>The input's side over the map's, when both sides divide evenly by the same factor.</summary>
    private long? Stride(Shape shape)
    {
        var input = _network.Input;
        if (!input.IsChannelsFirst || !shape.IsChannelsFirst || shape.Height <= 0 || shape.Width <= 0
            || input.Height % shape.Height != 0 || input.Width % shape.Width != 0 || input.Height / shape.Height != input.Width / shape.Width)
        {
            return null;
        }

        return input.Height / shape.Height;
    }

    /// <summary>Each tap's property on the record: <c>c2</c> becomes <c>C2</c>; a taken name (its constants' included) gets '_'.</summary>
    private static Dictionary<string, string> TapProperties(IReadOnlyList<TapModel> taps)
    {
        var taken = new HashSet<string>(FeatureMapsMembers, System.StringComparer.Ordinal);
        var properties = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var tap in taps)
        {
            var name = CSharpNames.ModuleProperty(tap.Name) ?? "Tap_" + tap.Name;
            while (!(taken.Add(name) & taken.Add(name + "Shape") & taken.Add(name + "Channels") & taken.Add(name + "Stride")))
            {
                name += "_";
            }

            properties.Add(tap.Name, name);
        }

        return properties;
    }

    private static Dictionary<string, string> TapLocals(IReadOnlyList<TapModel> taps)
    {
        var taken = new HashSet<string>(FeatureLocals, System.StringComparer.Ordinal);
        var locals = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var tap in taps)
        {
            var name = CSharpNames.Escape(tap.Name);
            while (!taken.Add(name.TrimStart('@')))
            {
                name += "_";
            }

            locals.Add(tap.Name, name);
        }

        return locals;
    }

    /// <summary>A step's module: the field, then each sequence's child on the way (<c>((global::NetGen.Sequence)_layer2[1])[0]</c>).</summary>
    private string StepModule(TapStep step)
    {
        var module = FieldName(_network.Children[step.Path[0]]);
        for (var depth = 1; depth < step.Path.Count; depth++)
        {
            // A top-level sequence's field is typed NetGen.Sequence; a child of one is a module, cast to index it.
            var container = depth == 1 ? module : $"((global::NetGen.Sequence){module})";
            module = $"{container}[{step.Path[depth].ToString(CultureInfo.InvariantCulture)}]";
        }

        return module;
    }
}
