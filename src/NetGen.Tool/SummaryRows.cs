using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Tool;

/// <summary>
/// One line of a summary: a module (<see cref="Note"/> null) or a note under a container saying how its
/// parts join (a skip edge, a concat). <see cref="Auxiliary"/> marks an auxiliary head and its layers.
/// </summary>
public sealed record SummaryRow(int Depth, string Layer, string Kind, Shape Output, long Parameters, long Macs, bool Auxiliary, string? Note = null)
{
    public bool IsNote => Note is not null;
}

/// <summary>The rows of a network's summary, in the order its modules are registered, and its totals.</summary>
public sealed class SummaryRows
{
    private readonly List<SummaryRow> _rows = new();

    private SummaryRows(NetworkModel network)
    {
        Network = network;
        string? previous = null;
        foreach (var child in network.Children)
        {
            Add(child, string.Empty, 0, kindPrefix: null, auxiliary: child.Role == ChildRole.Auxiliary, before: previous);
            if (child.Role != ChildRole.Auxiliary)
            {
                previous = child.Key;
            }
        }
    }

    public NetworkModel Network { get; }

    public IReadOnlyList<SummaryRow> Rows => _rows;

    /// <summary>Elements of every layer output on the forward path (auxiliary heads excluded), for one sample.</summary>
    public long ActivationElements => Network.Children
        .Where(c => c.Role != ChildRole.Auxiliary)
        .SelectMany(c => ModelTree.Layers(c.Module))
        .Sum(l => ModelText.Elements(l.Output));

    public static SummaryRows For(NetworkModel network) => new(network);

    private void Add(ChildModel child, string prefix, int depth, string? kindPrefix, bool auxiliary, string? before = null)
    {
        var module = child.Module;
        var path = ModelTree.PathOf(prefix, child);
        var layer = child.Role == ChildRole.Flat ? "(branch)" : path;
        var kind = kindPrefix + (module is LayerModel l ? ModelText.Describe(l) : ModelText.DescribeContainer(module));
        if (child.Role == ChildRole.Auxiliary)
        {
            kind += ", auxiliary";
        }

        _rows.Add(new SummaryRow(depth, layer, kind, module.Output, module.Parameters, module.Macs, auxiliary));
        if (Note(child, path, before) is { } note)
        {
            _rows.Add(new SummaryRow(depth + 1, string.Empty, string.Empty, module.Output, 0, 0, auxiliary, note));
        }

        if (module is ResidualModel residual)
        {
            foreach (var part in residual.Body)
            {
                Add(part, path, depth + 1, null, auxiliary);
            }

            if (residual.Shortcut is { } shortcut)
            {
                Add(shortcut, path, depth + 1, "shortcut: ", auxiliary);
            }

            return;
        }

        foreach (var part in ModelTree.Children(module))
        {
            Add(part, path, depth + 1, null, auxiliary);
        }
    }

    /// <summary>How a container's parts join: the edges a table of modules would otherwise hide.</summary>
    private static string? Note(ChildModel child, string path, string? before)
    {
        switch (child.Module)
        {
            case ResidualModel residual:
                var from = residual.ShortcutFrom < 0 ? "input" : residual.Body[residual.ShortcutFrom].Key + " output";
                var then = residual.Then is null ? string.Empty : ", then " + ModelText.Describe(residual.Then);
                return residual.Shortcut is { } shortcut
                    ? $"+ shortcut: {shortcut.Key} ({ModelText.DescribeLayers(shortcut.Module)}){(residual.ShortcutFrom < 0 ? string.Empty : " from " + from)}{then}"
                    : $"+ skip from {from}{then}";
            case ConcatModel concat:
                return $"{ModelText.Join(concat)} of {concat.Branches.Count} branches → {Channels(concat.Output)}" + (concat.Then is null ? string.Empty : ", then " + ModelText.Describe(concat.Then));
            case DenseModel dense:
                return $"concat(input, body) → {Channels(dense.Output)}";
            case GateModel:
                return "input × body (gate)";
            case var _ when child.Role == ChildRole.Auxiliary:
                return $"auxiliary head on the output of {before ?? "input"}; run in training only (ForwardWithAuxiliary), its MACs are not in the total";
            default:
                return null;
        }
    }

    private static string Channels(Shape shape) => ModelText.Number(shape.Channels) + (shape.IsFlat ? " features" : " ch");
}
