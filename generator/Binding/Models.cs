using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using NetGen.Generator.Common;

namespace NetGen.Generator.Binding;

// The bound model: a network with every block expanded and every shape known. It is what the
// emitter reads and what the pipeline caches, so every type here is an immutable record with
// structural equality and holds no Roslyn symbols, syntax nodes or locations.

/// <summary>One module of the network. <see cref="Parameters"/> and <see cref="Macs"/> include its children.</summary>
public abstract record ModuleModel(Shape Input, Shape Output, long Parameters, long Macs)
{
    /// <summary>
    /// For a container a block call made: the block's parameters and lets with this call's values, in
    /// declaration order (what a generated block class takes as constructor arguments). Empty otherwise.
    /// </summary>
    public EquatableArray<LayerArgument> Bindings { get; init; }
}

/// <summary>How a child takes part in its parent.</summary>
public enum ChildRole
{
    /// <summary>Registered under its key and run in its place.</summary>
    Normal,

    /// <summary>
    /// A branch or step written with '*' inside a concat: it runs in its place, but its own layers
    /// register on the enclosing concat (torchvision's Inception naming); its key is unused.
    /// </summary>
    Flat,

    /// <summary>An auxiliary head: registered, run only by ForwardWithAuxiliary, off the main path.</summary>
    Auxiliary,
}

/// <summary>A module with the key it is registered under in its parent (a state_dict path segment).</summary>
public sealed record ChildModel(string Key, ModuleModel Module, ChildRole Role = ChildRole.Normal)
{
    public bool Equals(ChildModel? other) =>
        ReferenceEquals(this, other) || (other is not null && Key == other.Key && Role == other.Role && SharedSubtrees.Equal(Module, other.Module));

    public override int GetHashCode() => unchecked((((Key.GetHashCode() * 31) + Module.GetHashCode()) * 31) + (int)Role);
}

/// <summary>
/// Structural equality that compares each shared subtree once. The binder reuses one module for every
/// call of a block with the same arguments and input, so a network is a DAG whose expanded tree is
/// several times larger (EfficientNet's ten classes: 7,492 modules, 2,942 distinct); the pipeline
/// compares every compile's models with the cached ones, and without this it would walk the whole tree.
/// </summary>
internal static class SharedSubtrees
{
    // Containers proven equal during the outermost comparison on this thread: new instance -> old instance.
    [ThreadStatic]
    private static Dictionary<ModuleModel, ModuleModel>? _proven;

    [ThreadStatic]
    private static int _depth;

    public static bool Equal(ModuleModel left, ModuleModel right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is LayerModel)
        {
            // A layer compares its few fields faster than a lookup.
            return left.Equals(right);
        }

        var proven = _proven ??= new Dictionary<ModuleModel, ModuleModel>(ModuleIdentity.Instance);
        if (proven.TryGetValue(left, out var known) && ReferenceEquals(known, right))
        {
            return true;
        }

        _depth++;
        try
        {
            var equal = left.Equals(right);
            if (equal)
            {
                proven[left] = right;
            }

            return equal;
        }
        finally
        {
            if (--_depth == 0)
            {
                proven.Clear();
            }
        }
    }
}

/// <summary>
/// A named argument of a layer, already evaluated. A struct, held inline in the layer's argument array:
/// a convolution has eight, and a file's models hold thousands of layers that outlive each compile.
/// </summary>
public readonly record struct LayerArgument(string Name, Value Value);

/// <summary>A built-in layer: its descriptor (<see cref="Spec"/>, one per layer kind) and its evaluated arguments.</summary>
public sealed record LayerModel(LayerSpec Spec, EquatableArray<LayerArgument> Arguments, Shape Input, Shape Output, long Parameters, long Macs)
    : ModuleModel(Input, Output, Parameters, Macs)
{
    /// <summary>The DSL layer name (conv, batchnorm, …).</summary>
    public string Kind => Spec.Name;

    public Value Argument(string name)
    {
        foreach (var argument in Arguments)
        {
            if (argument.Name == name)
            {
                return argument.Value;
            }
        }

        return Value.Error;
    }
}

/// <summary>Children applied one after another, like <c>nn.Sequential</c>. <see cref="Origin"/> names the block it came from.</summary>
public sealed record SequenceModel(EquatableArray<ChildModel> Children, string? Origin, Shape Input, Shape Output, long Parameters, long Macs)
    : ModuleModel(Input, Output, Parameters, Macs);

/// <summary>
/// body(x) + shortcut(x), then an optional layer (<see cref="Then"/>, an activation). A missing shortcut is the identity.
/// <see cref="ShortcutFrom"/> is the index of the body layer whose output feeds the shortcut (-1: the input).
/// </summary>
public sealed record ResidualModel(
    EquatableArray<ChildModel> Body,
    ChildModel? Shortcut,
    int ShortcutFrom,
    LayerModel? Then,
    string? Origin,
    Shape Input,
    Shape Output,
    long Parameters,
    long Macs) : ModuleModel(Input, Output, Parameters, Macs);

/// <summary>concat(x, body(x)) along channels.</summary>
public sealed record DenseModel(EquatableArray<ChildModel> Body, string? Origin, Shape Input, Shape Output, long Parameters, long Macs)
    : ModuleModel(Input, Output, Parameters, Macs);

/// <summary>input * body(input): a gate such as squeeze-and-excitation.</summary>
public sealed record GateModel(EquatableArray<ChildModel> Body, string? Origin, Shape Input, Shape Output, long Parameters, long Macs)
    : ModuleModel(Input, Output, Parameters, Macs);

/// <summary>
/// Every branch applied to the same input (or, <see cref="Split"/>, branch k to the k-th of equal chunks of the
/// input's channels); outputs joined along channels, then an optional parameterless layer (<see cref="Then"/>).
/// </summary>
public sealed record ConcatModel(EquatableArray<ChildModel> Branches, string? Origin, Shape Input, Shape Output, long Parameters, long Macs)
    : ModuleModel(Input, Output, Parameters, Macs)
{
    public bool Split { get; init; }

    public LayerModel? Then { get; init; }
}

/// <summary>
/// A feature map the network's <c>taps</c> line names: <see cref="Path"/> indexes the network's children, then
/// the children of each sequence on the way; <see cref="Shape"/> is the tapped module's output.
/// </summary>
public sealed record TapModel(string Name, string DslPath, EquatableArray<int> Path, Shape Shape);

/// <summary>A constructor parameter of the generated class.</summary>
public sealed record ParameterModel(string DslName, string CSharpName, Value Default);

/// <summary>One generated class: a network, or one variant of it.</summary>
public sealed record NetworkModel(
    string ClassName,
    string Namespace,
    string SourcePath,
    string Doc,
    EquatableArray<ParameterModel> ConstructorParameters,
    Shape Input,
    Shape Output,
    long ParameterCount,
    long Macs,
    EquatableArray<ChildModel> Children)
{
    /// <summary>The feature maps <c>ForwardFeatures</c> returns, in the <c>taps</c> line's order.</summary>
    public EquatableArray<TapModel> Taps { get; init; }
}

/// <summary>Modules compared as objects: the binder shares one instance among identical block calls.</summary>
public sealed class ModuleIdentity : IEqualityComparer<ModuleModel>
{
    public static readonly ModuleIdentity Instance = new();

    public bool Equals(ModuleModel? x, ModuleModel? y) => ReferenceEquals(x, y);

    public int GetHashCode(ModuleModel obj) => RuntimeHelpers.GetHashCode(obj);
}
