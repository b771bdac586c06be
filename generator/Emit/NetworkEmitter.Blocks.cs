using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;

namespace NetGen.Generator.Emit;

// A block (a sequence, residual, dense connection or gate) whose every call in the network builds the same
// code up to its parameters becomes a nested class, as a hand-written TorchSharp model has BasicBlock and
// Bottleneck: typed fields under the DSL's names, a constructor over the block's parameters, and a forward
// that reads like the block. Calls then read 'new BasicBlock(inChannels: 64, width: 128, stride: 2, downsample: true)'.
//
// Whether a block qualifies is decided on the emitted text, so a class can never compute other numbers
// than the calls it replaces: every quantity that differs between the calls (a layer argument, a layer's
// input channels, an inner block's argument) is named after the block parameter (or let, or the input's
// channels, or a multiple or fraction of a parameter) that equals it in every call, and the calls must then
// emit the same code. Anything else (an unnamed difference, a shape-dependent literal, an inner block without
// a class, a learnable tensor, a network parameter) keeps the block's local factory functions.
public sealed partial class NetworkEmitter
{
    private const string InChannels = "inChannels";

    private readonly Dictionary<string, BlockClass> _blockClasses = new(System.StringComparer.Ordinal);
    private readonly List<BlockClass> _blockClassOrder = new();

    /// <summary>Every block's distinct instances, and its nesting height (0: no block inside).</summary>
    private static (Dictionary<string, List<ModuleModel>> Instances, Dictionary<string, int> Height) CollectBlocks(NetworkModel network)
    {
        var instances = new Dictionary<string, List<ModuleModel>>(System.StringComparer.Ordinal);
        var height = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var seen = new Dictionary<ModuleModel, int>(ModuleIdentity.Instance);
        foreach (var child in network.Children)
        {
            Collect(child.Module, instances, height, seen);
        }

        return (instances, height);
    }

    /// <summary>Decides the block classes, inner blocks first (a class's code may call an inner block's class).</summary>
    private void PlanBlockClasses(Dictionary<string, List<ModuleModel>> instances, Dictionary<string, int> height)
    {
        // ForwardFeatures indexes the sequences a tap walks through ('stage2.2'): a block there stays a NetGen.Sequence.
        var walked = new HashSet<ModuleModel>(WalkedByTaps(), ModuleIdentity.Instance);
        foreach (var origin in instances.Keys.OrderBy(o => height[o]).ThenBy(o => o, System.StringComparer.Ordinal))
        {
            if (instances[origin].Any(walked.Contains))
            {
                continue;
            }

            if (_names.BlockClass(origin) is { } name && Plan(origin, name, instances[origin]) is { } plan)
            {
                _blockClasses.Add(origin, plan);
                _blockClassOrder.Add(plan);
            }
        }
    }

    /// <summary>The modules a tap's path goes through (not the tapped module itself).</summary>
    private IEnumerable<ModuleModel> WalkedByTaps()
    {
        foreach (var tap in _network.Taps)
        {
            IReadOnlyList<ChildModel> level = _network.Children;
            for (var i = 0; i < tap.Path.Count - 1; i++)
            {
                var module = level[tap.Path[i]].Module;
                yield return module;
                level = ((SequenceModel)module).Children;
            }
        }
    }

    /// <summary>
    /// Every distinct block instance by its block, and each block's nesting height (0: no block inside). The binder
    /// shares one module among identical calls, so each container is walked once (<paramref name="seen"/>: its height).
    /// </summary>
    private static int Collect(ModuleModel module, Dictionary<string, List<ModuleModel>> instances, Dictionary<string, int> height, Dictionary<ModuleModel, int> seen)
    {
        if (module is LayerModel)
        {
            return 0;
        }

        if (seen.TryGetValue(module, out var known))
        {
            return known;
        }

        var inner = 0;
        foreach (var child in Children(module))
        {
            inner = System.Math.Max(inner, Collect(child, instances, height, seen));
        }

        var result = inner;
        if (Origin(module) is { } origin)
        {
            if (!instances.TryGetValue(origin, out var list))
            {
                instances.Add(origin, list = new List<ModuleModel>());
                height.Add(origin, 0);
            }

            list.Add(module);
            height[origin] = System.Math.Max(height[origin], inner);
            result = inner + 1;
        }

        seen.Add(module, result);
        return result;
    }

    private static IEnumerable<ModuleModel> Children(ModuleModel module) => module switch
    {
        SequenceModel sequence => sequence.Children.Select(c => c.Module),
        ResidualModel residual => residual.Body.Select(c => c.Module).Concat(residual.Shortcut is { } s ? new[] { s.Module } : Enumerable.Empty<ModuleModel>()),
        DenseModel dense => dense.Body.Select(c => c.Module),
        ConcatModel concat => concat.Branches.Select(c => c.Module),
        GateModel gate => gate.Body.Select(c => c.Module),
        _ => Enumerable.Empty<ModuleModel>(),
    };

    /// <summary>The block a container was made by; null for a layer or an inline connection.</summary>
    internal static string? Origin(ModuleModel module) => module switch
    {
        SequenceModel s => s.Origin,
        ResidualModel r => r.Origin,
        DenseModel d => d.Origin,
        ConcatModel c => c.Origin,
        GateModel g => g.Origin,
        _ => null,
    };

    private BlockClass? Plan(string origin, string name, List<ModuleModel> instances)
    {
        if (instances.Any(i => !Supported(i)) || instances.Select(i => i.GetType()).Distinct().Count() > 1
            || instances.OfType<ResidualModel>().Where(r => r.Shortcut is not null).Select(r => r.ShortcutFrom).Distinct().Count() > 1)
        {
            return null;
        }

        // The children in order as the call with the most has them; in a sequence another call may lack some
        // (a layer under 'when'), with the others' names unchanged.
        var union = instances.OrderByDescending(i => BodyOf(i).Count).First();
        var keys = BodyOf(union).Select(c => c.Key).ToList();
        if (instances.Any(i => !IsSubsequence(BodyOf(i).Select(c => c.Key).ToList(), keys))
            || (union is not SequenceModel && instances.Any(i => BodyOf(i).Count != keys.Count)))
        {
            return null;
        }

        // Every quantity of every call, by its place in the block.
        var quantities = new List<Dictionary<string, Value>>();
        foreach (var instance in instances)
        {
            var found = new Dictionary<string, Value>(System.StringComparer.Ordinal);
            if (!TopQuantities(instance, found))
            {
                return null;
            }

            quantities.Add(found);
        }

        // Name each quantity that differs between calls after what equals it in every call.
        var csharp = CSharpParameterNames(instances[0]);
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var used = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var key in quantities.SelectMany(q => q.Keys).Distinct().ToList())
        {
            var holders = Enumerable.Range(0, instances.Count).Where(i => quantities[i].ContainsKey(key)).ToList();
            var values = holders.Select(i => quantities[i][key]).ToList();
            if (values.Any(v => v.IsDynamic))
            {
                // A network parameter's expression: the nested class cannot see the network's constructor.
                return null;
            }

            // A quantity the same in every call stays a literal, except in a part only some calls have: there
            // the projection's stride is 2 in every call that has one, yet it is the block's 'stride'.
            var constant = values.All(v => v == values[0]);
            if (constant && holders.Count == instances.Count)
            {
                continue;
            }

            var varying = constant ? instances : null;
            if (Unify(holders.Select(i => instances[i]).ToList(), values, csharp, varying) is { } expression)
            {
                names.Add(key, expression.Text);
                used.Add(expression.Parameter);
            }
        }

        // A child only some calls have is there when a bool parameter (or its negation) says so.
        var conditions = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var present = instances.Select(i => BodyOf(i).Any(c => c.Key == key)).ToList();
            if (present.All(p => p))
            {
                continue;
            }

            if (Presence(instances, present, csharp) is not { } condition)
            {
                return null;
            }

            if (key == keys[0])
            {
                // The first child starts the chain in forward: a block whose first layer may be missing keeps its factories.
                return null;
            }

            conditions.Add(key, condition.Text);
            used.Add(condition.Parameter);
        }

        // The calls must emit the same code once named: then the class builds exactly what each call built.
        var texts = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var rewritten = instances.Select(i => RewriteTop(i, names)).ToList();
        foreach (var instance in rewritten)
        {
            foreach (var (part, text) in TemplateParts(instance))
            {
                if (!texts.TryGetValue(part, out var known))
                {
                    texts.Add(part, text);
                }
                else if (known != text)
                {
                    return null;
                }
            }
        }

        // A residual's template is a call with its shortcut: where the shortcut reads the body (a pre-activation
        // block) only such a call says from which layer.
        var withShortcut = rewritten.FirstOrDefault(i => i is ResidualModel { Shortcut: not null });
        var template = withShortcut ?? rewritten[instances.IndexOf(union)];
        var optional = withShortcut is not null && instances.Any(i => i is ResidualModel { Shortcut: null });
        var parameters = Parameters(instances, used, csharp);
        var flag = optional ? FreeName(CSharpNames.ParameterName(((ResidualModel)withShortcut!).Shortcut!.Key), parameters.Select(p => p.CSharp.TrimStart('@'))) : null;
        return new BlockClass(origin, name, template, parameters, flag, conditions);
    }

    private static bool IsSubsequence(IReadOnlyList<string> part, IReadOnlyList<string> whole)
    {
        var next = 0;
        foreach (var key in part)
        {
            while (next < whole.Count && whole[next] != key)
            {
                next++;
            }

            if (next++ == whole.Count)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sequences, residuals, dense connections and gates (without learnable tensors, whose owner registers them) become classes.</summary>
    private static bool Supported(ModuleModel instance) => instance switch
    {
        SequenceModel sequence => Plain(sequence.Children),
        ResidualModel residual => Plain(residual.Body),
        DenseModel dense => Plain(dense.Body),
        GateModel gate => Plain(gate.Body),
        _ => false,
    };

    private static bool Plain(IReadOnlyList<ChildModel> children) => children.Count > 0 && children.All(c => c.Role == ChildRole.Normal && !IsTensor(c.Module));

    /// <summary>The children a block class holds in order: a sequence's, or the body of a residual, dense connection or gate.</summary>
    private static IReadOnlyList<ChildModel> BodyOf(ModuleModel template) => template switch
    {
        SequenceModel sequence => sequence.Children,
        ResidualModel residual => residual.Body,
        DenseModel dense => dense.Body,
        GateModel gate => gate.Body,
        _ => System.Array.Empty<ChildModel>(),
    };

    private static bool IsTensor(ModuleModel module) => module is LayerModel { Spec.Role: LayerRole.Parameter };

    /// <summary>A call's quantities, its own children keyed by name ('c:conv1'), its shortcut ('s:downsample') and 'then' ('t').</summary>
    private bool TopQuantities(ModuleModel instance, Dictionary<string, Value> found)
    {
        foreach (var child in BodyOf(instance))
        {
            if (!Quantities(child.Module, "/c:" + child.Key, found))
            {
                return false;
            }
        }

        if (instance is ResidualModel residual)
        {
            if (residual.Shortcut is { } shortcut && !Quantities(shortcut.Module, "/s:" + shortcut.Key, found))
            {
                return false;
            }

            if (residual.Then is { } then && !Quantities(then, "/t", found))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The quantities under <paramref name="module"/> that its code is made of: layer arguments and input channels, an inner
    /// block's arguments and input channels (its class is called, not inlined). False when the code cannot be a class's.
    /// </summary>
    private bool Quantities(ModuleModel module, string path, Dictionary<string, Value> found)
    {
        if (module is LayerModel layer)
        {
            foreach (var argument in layer.Arguments)
            {
                found[path + "/" + argument.Name] = argument.Value;
            }

            found[path + "/in"] = layer.Input.ChannelsValue;
            return true;
        }

        if (Origin(module) is { } origin)
        {
            if (!_blockClasses.TryGetValue(origin, out var inner))
            {
                // Its code would be a local factory of the network, out of the nested class's reach.
                return false;
            }

            foreach (var parameter in inner.Parameters)
            {
                found[path + "/" + parameter.Dsl] = parameter.Dsl == InChannels
                    ? module.Input.ChannelsValue
                    : module.Bindings.FirstOrDefault(b => b.Name == parameter.Dsl).Value ?? Value.Error;
            }

            return true;
        }

        var index = 0;
        foreach (var child in Children(module))
        {
            if (!Quantities(child, $"{path}/{index++}", found))
            {
                return false;
            }
        }

        if (module is ResidualModel { Then: { } then } && !Quantities(then, path + "/then", found))
        {
            return false;
        }

        return module is not ConcatModel { Then: { } concatThen } || Quantities(concatThen, path + "/then", found);
    }

}
