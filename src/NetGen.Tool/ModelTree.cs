using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Tool;

/// <summary>Walking the bound model: children, block names and state_dict paths.</summary>
public static class ModelTree
{
    /// <summary>The block a container was made from (<c>Bottleneck</c>), or null for an inline container.</summary>
    public static string? Origin(ModuleModel module) => module switch
    {
        SequenceModel sequence => sequence.Origin,
        ResidualModel residual => residual.Origin,
        DenseModel dense => dense.Origin,
        ConcatModel concat => concat.Origin,
        GateModel gate => gate.Origin,
        _ => null,
    };

    /// <summary>Every child in the order the model runs or registers it (a residual's shortcut last).</summary>
    public static IReadOnlyList<ChildModel> Children(ModuleModel module) => module switch
    {
        SequenceModel sequence => sequence.Children,
        ResidualModel residual => residual.Shortcut is null ? residual.Body : residual.Body.Append(residual.Shortcut).ToList(),
        DenseModel dense => dense.Body,
        ConcatModel concat => concat.Branches,
        GateModel gate => gate.Body,
        _ => System.Array.Empty<ChildModel>(),
    };

    /// <summary>
    /// The state_dict path of a child: a '*' branch (<see cref="ChildRole.Flat"/>) registers its layers on
    /// the enclosing concat, so it adds no segment of its own.
    /// </summary>
    public static string PathOf(string prefix, ChildModel child) =>
        child.Role == ChildRole.Flat ? prefix : Join(prefix, child.Key);

    public static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;

    /// <summary>The layers of a module, depth first.</summary>
    public static IEnumerable<LayerModel> Layers(ModuleModel module) => module is LayerModel layer
        ? new[] { layer }
        : Children(module).SelectMany(c => Layers(c.Module));
}
