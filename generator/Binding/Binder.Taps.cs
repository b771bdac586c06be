using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using NetGen.Generator.Common;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

// A network's 'taps' line: named feature maps for ForwardFeatures (a backbone's stage outputs). A tap
// names a module on the main path that a forward pass runs as one step: a statement of the network, or a
// child of a sequence reached through sequences ('features.3'); a block's inside runs as one call.
public sealed partial class Binder
{
    /// <summary>The taps, resolved against the bound children; null after reporting a bad one.</summary>
    private EquatableArray<TapModel>? BindTaps(NetworkSyntax network, Scope scope, IReadOnlyList<ChildModel> children)
    {
        var taps = ImmutableArray.CreateBuilder<TapModel>();
        var lines = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var paths = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var ok = true;
        foreach (var tap in network.Taps)
        {
            var name = tap.Name.Text;
            if (name.Length == 0)
            {
                ok = false;
                continue;
            }

            if (lines.TryGetValue(name, out var firstLine))
            {
                _diagnostics.DuplicateName(tap.Name.Span, "tap", name, firstLine);
                ok = false;
                continue;
            }

            lines.Add(name, LineOf(tap.Name.Span.Start));
            if (ModuleName(tap.Path, scope) is not { } path || ResolveTap(tap, path, children) is not { } resolved)
            {
                ok = false;
                continue;
            }

            var key = string.Join(".", resolved.Path);
            if (paths.TryGetValue(key, out var other))
            {
                _diagnostics.BadTap(tap.Path.Span, name, $"'{path}' is tapped already as '{other}'", "tap each module once");
                ok = false;
                continue;
            }

            paths.Add(key, name);
            taps.Add(resolved);
        }

        return ok ? taps.ToEquatableArray() : null;
    }

    private TapModel? ResolveTap(TapSyntax tap, string path, IReadOnlyList<ChildModel> children)
    {
        var name = tap.Name.Text;
        IReadOnlyList<ChildModel>? level = children;
        var indices = ImmutableArray.CreateBuilder<int>();
        ModuleModel? module = null;
        var walked = string.Empty;
        foreach (var segment in path.Split('.'))
        {
            if (level is null)
            {
                _diagnostics.BadTap(tap.Path.Span, name, $"'{walked}' is a {Describe(module!)}, whose inside runs as one step",
                    "tap it, or a module of a seq (a stage); wrap the stages in 'name: seq' where a block holds them");
                return null;
            }

            var index = IndexOfKey(level, segment);
            if (index < 0)
            {
                var where = walked.Length == 0 ? "the network" : $"'{walked}'";
                var main = level.Where(c => c.Role != ChildRole.Auxiliary).Select(c => c.Key).ToList();
                var keys = string.Join(", ", main.Take(12)) + (main.Count > 12 ? $", … ({main.Count} in all)" : string.Empty);
                _diagnostics.BadTap(tap.Path.Span, name, $"'{segment}' is not a module of {where}", $"its modules are {(keys.Length == 0 ? "none" : keys)}");
                return null;
            }

            var child = level[index];
            walked = walked.Length == 0 ? child.Key : walked + "." + child.Key;
            if (child.Role == ChildRole.Auxiliary)
            {
                _diagnostics.BadTap(tap.Path.Span, name, $"'{walked}' is an auxiliary head, off the main path", "tap a module of the main path");
                return null;
            }

            indices.Add(index);
            module = child.Module;
            level = module is SequenceModel sequence ? sequence.Children : null;
        }

        return new TapModel(name, path, indices.ToEquatableArray(), module!.Output);
    }

    private static int IndexOfKey(IReadOnlyList<ChildModel> children, string key)
    {
        for (var i = 0; i < children.Count; i++)
        {
            if (children[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(ModuleModel module) => module switch
    {
        LayerModel layer => $"'{layer.Kind}' layer",
        ResidualModel { Origin: { } block } => $"'{block}' block (a residual)",
        ResidualModel => "residual",
        DenseModel => "dense connection",
        ConcatModel { Origin: { } block } => $"'{block}' block (a concat)",
        ConcatModel => "concat",
        GateModel => "gate",
        _ => "module",
    };
}
