using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Tool.Graph;

/// <summary>How much a graph shows: every layer (conv → norm → activation chains folded), or one node per block.</summary>
public enum GraphDetail
{
    Layers,
    Blocks,
}

/// <summary>
/// Turns a bound network into a <see cref="FlowGraph"/>: layer chains fold into one node, blocks become
/// clusters, and the joins the model only implies become nodes of their own: an add node per residual
/// (the skip edge from the block input is dashed and names the shortcut projection), a concat node per
/// concat or dense connection, a multiply node per gate; auxiliary heads branch off to the side.
/// </summary>
public sealed class GraphBuilder
{
    private readonly GraphDetail _detail;
    private readonly List<GraphEdge> _edges = new();
    private int _nextId;
    private bool _branchingOff;

    private GraphBuilder(GraphDetail detail) => _detail = detail;

    public static FlowGraph Build(NetworkModel network, GraphDetail detail)
    {
        var builder = new GraphBuilder(detail);
        var root = new GraphCluster("root", string.Empty, string.Empty);
        var input = builder.Node(root, NodeKind.Input, NodeTone.Terminal, "in", "input", Shape(network.Input));
        var current = builder.Children(network.Children, string.Empty, root, input, -1, out _);
        builder.Connect(current, builder.Node(root, NodeKind.Output, NodeTone.Terminal, "out", "output", Shape(network.Output)));
        var title = $"{network.ClassName} · {Path.GetFileName(network.SourcePath)} · {ModelText.Number(network.ParameterCount)} params · {ModelText.Scaled(network.Macs)}MACs";
        return new FlowGraph(network.ClassName, title, root, builder._edges);
    }

    private static string Shape(Shape shape) => ModelText.SampleShape(shape);

    /// <summary>An auxiliary head: a side branch from the features it reads, ending in an output of its own.</summary>
    private void Auxiliary(ChildModel child, GraphCluster root, string from)
    {
        _branchingOff = true;
        var end = Child(child, string.Empty, root, from);
        Connect(end, Node(root, NodeKind.Output, NodeTone.Terminal, "out", child.Key + " output", Shape(child.Module.Output)));
    }

    /// <summary>Draws children one after another from <paramref name="from"/>; <paramref name="tapped"/> is the node after child <paramref name="tap"/>.</summary>
    private string Children(IReadOnlyList<ChildModel> children, string prefix, GraphCluster into, string from, int tap, out string tapped)
    {
        var current = from;
        tapped = from;
        for (var i = 0; i < children.Count;)
        {
            if (children[i].Role == ChildRole.Auxiliary)
            {
                Auxiliary(children[i], into, current);
                i++;
                continue;
            }

            var length = FoldLength(children, i, tap);
            if (length > 0)
            {
                current = Chain(children.Skip(i).Take(length).ToList(), prefix, into, current, head: null);
            }
            else
            {
                current = Child(children[i], prefix, into, current);
                length = 1;
            }

            if (tap >= i && tap < i + length)
            {
                tapped = current;
            }

            i += length;
        }

        return current;
    }

    private string Child(ChildModel child, string prefix, GraphCluster into, string from, string? outer = null)
    {
        var module = child.Module;
        if (module is LayerModel)
        {
            return Children(new[] { child }, prefix, into, from, -1, out _);
        }

        var path = ModelTree.PathOf(prefix, child);
        var origin = ModelTree.Origin(module);
        var suffix = origin is not null ? $" ({origin})"
            : module is SequenceModel ? string.Empty
            : $" ({ModelText.DescribeContainer(module)})";
        // Clusters are headings, so they carry the full path; nodes inside one are named relative to it.
        var name = (outer is null ? path : outer + " › " + child.Key) + suffix;
        var nodeName = (outer is null ? Relative(path, into) : outer + " › " + child.Key) + suffix;
        if (module is SequenceModel whole && whole.Children.Count > 0 && FoldLength(whole.Children, 0, -1) == whole.Children.Count)
        {
            // A block of one conv → norm → activation chain is one node, named after the block.
            return Chain(whole.Children, path, into, from, head: nodeName);
        }

        if (_detail == GraphDetail.Blocks && (origin is not null || module is not SequenceModel))
        {
            return Block(module, path + suffix, into, from);
        }

        switch (module)
        {
            case SequenceModel sequence when child.Role == ChildRole.Flat:
                return Children(sequence.Children, path, into, from, -1, out _);
            case SequenceModel { Children.Count: 1 } sequence when sequence.Children[0].Module is not LayerModel:
                // A wrapper around one block (MBConv → MBConvLayers): one cluster, named after both.
                return Child(sequence.Children[0], path, into, from, origin is null ? null : name);
            case SequenceModel sequence:
                return Children(sequence.Children, path, Cluster(name, path, into), from, -1, out _);
            case ResidualModel residual:
                return Residual(residual, path, Cluster(name, path, into), from);
            case ConcatModel concat:
                var cluster = child.Role == ChildRole.Flat ? into : Cluster(name, path, into);
                var ends = concat.Branches.Select(b => Branch(b, path, cluster, from)).ToList();
                return Join(cluster, NodeKind.Concat, "cat", $"concat → {Channels(concat.Output)}", ends, skipFrom: null);
            case DenseModel dense:
                var body = Cluster(name, path, into);
                var denseEnd = Children(dense.Body, path, body, from, -1, out _);
                return Join(body, NodeKind.Concat, "cat", $"concat(input, body) → {Channels(dense.Output)}", new[] { denseEnd }, skipFrom: from);
            case GateModel gate:
                var gated = Cluster(name, path, into);
                var scale = Children(gate.Body, path, gated, from, -1, out _);
                return Join(gated, NodeKind.Multiply, "mul", "× gate", new[] { scale }, skipFrom: from);
            default:
                return from;
        }
    }

    /// <summary>A residual: the body, then an add node fed by the body and by the dashed skip edge.</summary>
    private string Residual(ResidualModel residual, string path, GraphCluster cluster, string from)
    {
        var end = Children(residual.Body, path, cluster, from, residual.ShortcutFrom, out var tapped);
        var add = Node(cluster, NodeKind.Add, NodeTone.Join, "add", residual.Then is null ? "+" : "+ " + ModelText.Describe(residual.Then, compact: true));
        Connect(end, add);
        var projection = residual.Shortcut is { } shortcut
            ? $"{shortcut.Key}: {ModelText.DescribeLayers(shortcut.Module, compact: true, separator: " · ")}"
            : null;
        _edges.Add(new GraphEdge(residual.ShortcutFrom < 0 ? from : tapped, add, EdgeKind.Skip, projection));
        return add;
    }

    /// <summary>A concat branch: a plain group of layers (no block of its own) draws as a chain inside the concat's cluster.</summary>
    private string Branch(ChildModel branch, string prefix, GraphCluster cluster, string from) =>
        branch.Module is SequenceModel { Origin: null } sequence && _detail == GraphDetail.Layers
            ? Children(sequence.Children, ModelTree.PathOf(prefix, branch), cluster, from, -1, out _)
            : Child(branch, prefix, cluster, from);

    private string Join(GraphCluster cluster, NodeKind kind, string prefix, string label, IEnumerable<string> ends, string? skipFrom)
    {
        var node = Node(cluster, kind, NodeTone.Join, prefix, label);
        foreach (var end in ends)
        {
            Connect(end, node);
        }

        if (skipFrom is not null)
        {
            _edges.Add(new GraphEdge(skipFrom, node, EdgeKind.Skip, kind == NodeKind.Multiply ? "input" : null));
        }

        return node;
    }

    /// <summary>A whole block as one node (--detail blocks): its name, how it joins, its output and parameters.</summary>
    private string Block(ModuleModel module, string name, GraphCluster into, string from)
    {
        var description = module switch
        {
            ResidualModel { Shortcut: null } residual => "residual: + skip" + Then(residual.Then),
            ResidualModel residual => $"residual: + {residual.Shortcut!.Key} ({ModelText.DescribeLayers(residual.Shortcut.Module, compact: true, separator: " · ")}){Then(residual.Then)}",
            ConcatModel concat => $"{ModelText.Join(concat)} of {concat.Branches.Count} branches → {Channels(concat.Output)}{Then(concat.Then)}",
            DenseModel => "dense: concat(input, body)",
            GateModel => "gate: input × body",
            _ => $"{ModelTree.Layers(module).Count()} layers",
        };
        var node = Node(into, NodeKind.Block, NodeTone.Block, "n", name, description, $"{Shape(module.Output)} · {ModelText.Number(module.Parameters)} params");
        Connect(from, node);
        return node;
    }

    private static string Then(LayerModel? then) => then is null ? string.Empty : " → " + ModelText.Describe(then, compact: true);

    /// <summary>Layers folded into one node: <c>conv 3x3/2 64 · bn · relu</c> over the output shape.</summary>
    private string Chain(IReadOnlyList<ChildModel> run, string prefix, GraphCluster into, string from, string? head)
    {
        var layers = run.Select(c => (LayerModel)c.Module).ToList();
        var chain = string.Join(" · ", layers.Where(l => l.Spec.Role != LayerRole.Identity).Select(l => ModelText.Describe(l, compact: true)).DefaultIfEmpty("identity"));
        var main = layers.FirstOrDefault(l => !ModelText.IsMinor(l)) ?? layers[0];
        var tone = main.Spec.Role switch
        {
            LayerRole.Convolution => NodeTone.Conv,
            LayerRole.Pooling => NodeTone.Pool,
            LayerRole.Linear => NodeTone.Linear,
            LayerRole.Normalization or LayerRole.Activation => NodeTone.Norm,
            _ => NodeTone.Other,
        };
        // The main layer's path names the node, unless it is just a number or repeats the kind ("maxpool: maxpool").
        var name = Relative(ModelTree.Join(prefix, run[layers.IndexOf(main)].Key), into);
        var named = name.Any(c => c != '.' && !char.IsDigit(c)) && !layers.Any(l => l.Kind == name);
        var lines = head is not null ? new[] { head, chain }
            : named ? new[] { name + ": " + chain }
            : new[] { chain };
        var node = Node(into, NodeKind.Layer, tone, "n", lines.Append(Shape(layers[layers.Count - 1].Output)).ToArray());
        Connect(from, node);
        return node;
    }

    /// <summary>
    /// How many layers from <paramref name="start"/> fold into one node: an optional run of minor layers
    /// (flatten, dropout), one main layer, then a normalization after a conv or linear, an activation and
    /// minor layers. A fold never runs past <paramref name="tap"/>, whose output a shortcut reads.
    /// </summary>
    private static int FoldLength(IReadOnlyList<ChildModel> children, int start, int tap)
    {
        LayerRole? main = null;
        bool norm = false, activation = false;
        var i = start;
        while (i < children.Count && children[i].Role == ChildRole.Normal && children[i].Module is LayerModel layer)
        {
            var kind = layer;
            var role = layer.Spec.Role;
            var fits = ModelText.IsMinor(kind)
                || (ModelText.IsNorm(kind) && !norm && !activation && (main is null or LayerRole.Convolution or LayerRole.Linear))
                || (ModelText.IsActivation(kind) && !activation)
                || (main is null && !norm && !activation);
            if (!fits)
            {
                break;
            }

            norm |= ModelText.IsNorm(kind);
            activation |= ModelText.IsActivation(kind);
            if (!ModelText.IsMinor(kind) && !ModelText.IsNorm(kind) && !ModelText.IsActivation(kind))
            {
                main = role;
            }

            if (i++ == tap)
            {
                break;
            }
        }

        return i - start;
    }

    private GraphCluster Cluster(string label, string path, GraphCluster into)
    {
        var cluster = new GraphCluster("c" + Next(), label, path);
        into.Items.Add(cluster);
        return cluster;
    }

    private string Node(GraphCluster into, NodeKind kind, NodeTone tone, string prefix, params string[] lines)
    {
        var node = new GraphNode(prefix + Next(), kind, tone, lines);
        into.Items.Add(node);
        return node.Id;
    }

    private void Connect(string from, string to)
    {
        _edges.Add(new GraphEdge(from, to, _branchingOff ? EdgeKind.Auxiliary : EdgeKind.Data, _branchingOff ? "aux" : null));
        _branchingOff = false;
    }

    private string Next() => (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Relative(string path, GraphCluster into) =>
        into.Path.Length > 0 && path.StartsWith(into.Path + ".", System.StringComparison.Ordinal) ? path.Substring(into.Path.Length + 1) : path;

    private static string Channels(Shape shape) => ModelText.Number(shape.Channels) + (shape.IsFlat ? " features" : " ch");
}
