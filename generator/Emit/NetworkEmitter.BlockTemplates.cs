using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;

namespace NetGen.Generator.Emit;

// A block call rewritten with named quantities (values become dynamic, so the layer emissions write the names),
// and the code of its parts, emitted by the same Render the network uses.
public sealed partial class NetworkEmitter
{
    /// <summary>A call with every named quantity replaced by its expression, keyed as <see cref="TopQuantities"/> keys them.</summary>
    private ModuleModel RewriteTop(ModuleModel instance, Dictionary<string, string> names)
    {
        var body = BodyOf(instance).Select(c => c with { Module = Rewrite(c.Module, "/c:" + c.Key, names) }).ToEquatableArray();
        return instance switch
        {
            SequenceModel sequence => sequence with { Children = body },
            DenseModel dense => dense with { Body = body },
            GateModel gate => gate with { Body = body },
            ResidualModel residual => residual with
            {
                Body = body,
                Shortcut = residual.Shortcut is { } s ? s with { Module = Rewrite(s.Module, "/s:" + s.Key, names) } : null,
                Then = residual.Then is { } t ? RewriteLayer(t, "/t", names) : null,
            },
            _ => instance,
        };
    }

    /// <summary><paramref name="module"/> with every named quantity replaced by its expression (values become dynamic).</summary>
    private ModuleModel Rewrite(ModuleModel module, string path, Dictionary<string, string> names)
    {
        switch (module)
        {
            case LayerModel layer:
                return RewriteLayer(layer, path, names);
            case SequenceModel sequence when sequence.Origin is null:
                return sequence with { Children = RewriteChildren(sequence.Children, path, names) };
            case ResidualModel residual when residual.Origin is null:
                return residual with
                {
                    Body = RewriteChildren(residual.Body, path, names),
                    Shortcut = residual.Shortcut is { } s ? s with { Module = Rewrite(s.Module, $"{path}/{residual.Body.Count}", names) } : null,
                    Then = residual.Then is { } t ? RewriteLayer(t, path + "/then", names) : null,
                };
            case DenseModel dense when dense.Origin is null:
                return dense with { Body = RewriteChildren(dense.Body, path, names) };
            case GateModel gate when gate.Origin is null:
                return gate with { Body = RewriteChildren(gate.Body, path, names) };
            case ConcatModel concat when concat.Origin is null:
                return concat with
                {
                    Branches = RewriteChildren(concat.Branches, path, names),
                    Then = concat.Then is { } ct ? RewriteLayer(ct, path + "/then", names) : null,
                };
            default:
                // An inner block: its class is called with its arguments, named where they vary.
                var bindings = module.Bindings.Select(b => names.TryGetValue($"{path}/{b.Name}", out var n) ? b with { Value = b.Value with { Dynamic = new RuntimeName(n) } } : b);
                return module with { Bindings = bindings.ToEquatableArray(), Input = Named(module.Input, path, names) };
        }
    }

    private EquatableArray<ChildModel> RewriteChildren(IReadOnlyList<ChildModel> children, string path, Dictionary<string, string> names) =>
        children.Select((c, i) => c with { Module = Rewrite(c.Module, $"{path}/{i}", names) }).ToEquatableArray();

    private static LayerModel RewriteLayer(LayerModel layer, string path, Dictionary<string, string> names) => layer with
    {
        Arguments = layer.Arguments.Select(a => names.TryGetValue($"{path}/{a.Name}", out var n) ? a with { Value = a.Value with { Dynamic = new RuntimeName(n) } } : a).ToEquatableArray(),
        Input = Named(layer.Input, path, names),
    };

    private static Shape Named(Shape shape, string path, Dictionary<string, string> names) =>
        names.TryGetValue(path + "/in", out var n) || names.TryGetValue(path + "/" + InChannels, out n) ? shape.WithChannels(shape.Channels, new RuntimeName(n)) : shape;

    /// <summary>A template's code by part: each child's construction ('c:key'), its 'then' ('t') and its shortcut ('s').</summary>
    private IEnumerable<(string Part, string Text)> TemplateParts(ModuleModel template)
    {
        foreach (var (child, text) in Constructions(template))
        {
            yield return (child is null ? "t" : "c:" + child.Key, text);
        }

        if (template is ResidualModel { Shortcut: { } s })
        {
            yield return ("s", Render(s.Module, inPlace: false));
        }
    }

    /// <summary>Each child's construction as the containers build it (the same in-place choices), then the residual's 'then'.</summary>
    private IEnumerable<(ChildModel? Child, string Text)> Constructions(ModuleModel template)
    {
        switch (template)
        {
            case SequenceModel or DenseModel or GateModel:
                var children = BodyOf(template);
                for (var i = 0; i < children.Count; i++)
                {
                    yield return (children[i], Render(children[i].Module, InPlace(children, i)));
                }

                break;
            case ResidualModel residual:
                for (var i = 0; i < residual.Body.Count; i++)
                {
                    yield return (residual.Body[i], Render(residual.Body[i].Module, i != residual.ShortcutFrom + 1 && InPlace(residual.Body, i)));
                }

                if (residual.Then is { } then)
                {
                    yield return (null, LayerEmitter.Construct(then, inPlace: true));
                }

                break;
        }
    }
}
