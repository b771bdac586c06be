using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

/// <summary>
/// The C# names one generated class declares: a field per top-level child (<c>_</c> + its key, '-' as '_'), a
/// property per named one (<see cref="CSharpNames.ModuleProperty"/>), a nested class per block (its name), a local
/// factory function per distinct block instance (<c>Block_1</c>), the constructor's parameters. DSL names
/// are free, so each name is checked against every other and against the members of TorchSharp's
/// Module that a derived class sees; a taken name gets trailing underscores (fields) or the next number
/// (factories) instead of a compile error.
/// </summary>
public sealed class MemberNames
{
    /// <summary>
    /// Members of <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c> and its bases that a derived
    /// class sees and whose names a generated member could take (a test keeps this equal to TorchSharp's).
    /// </summary>
    public static readonly IReadOnlyCollection<string> InheritedMembers = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "_deviceIndex", "_deviceType", "_internal_buffers", "_internal_params", "_internal_submodules", "_named_buffers",
        "_named_parameters", "_parameters", "_to", "_toEpilog",
    };

    /// <summary>
    /// Members of <c>Module&lt;Tensor, Tensor&gt;</c> and its bases whose capitalized names a generated property
    /// could take (a test keeps this equal to TorchSharp's).
    /// </summary>
    public static readonly IReadOnlyCollection<string> InheritedPublicMembers = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "ClearModules", "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create", "Dispose", "Equals", "Finalize",
        "GetDefaultDeviceAndType", "GetHashCode", "GetName", "GetType", "HType", "HookRemover", "MemberwiseClone", "ReferenceEquals",
        "RegisterComponents", "ReplaceBuffer", "ReplaceParameter", "ToString",
    };

    private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);
    // By key (unique among a network's children): a ChildModel's hash walks its whole subtree.
    private readonly Dictionary<string, string> _fields = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _properties = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _blockClasses = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, int> _factoryCounts = new(System.StringComparer.Ordinal);

    /// <param name="blocks">The blocks whose calls the network holds: each may become a nested class of its own name.</param>
    public MemberNames(NetworkModel network, IEnumerable<string> blocks)
    {
        _taken.UnionWith(InheritedMembers);
        _taken.UnionWith(InheritedPublicMembers);
        _taken.UnionWith(CSharpNames.GeneratedMembers);
        _taken.Add(network.ClassName);
        _taken.UnionWith(network.ConstructorParameters.Select(p => p.CSharpName.TrimStart('@')));
        foreach (var block in blocks.OrderBy(b => b, System.StringComparer.Ordinal))
        {
            // A name C# refuses for a type (a keyword, all lowercase) or one a member holds keeps its factories.
            if (CSharpNames.ClassNameProblem(block, network.Namespace) is null && _taken.Add(block))
            {
                _blockClasses.Add(block, block);
            }
        }

        foreach (var child in network.Children)
        {
            // Keys may hold '-' (RegNet's 'block1-0'), which a C# name may not: it becomes '_'.
            var name = "_" + child.Key.Replace('-', '_');
            while (!_taken.Add(name))
            {
                name += "_";
            }

            _fields.Add(child.Key, name);
        }

        foreach (var child in network.Children)
        {
            if (CSharpNames.ModuleProperty(child.Key) is not { } property)
            {
                continue;
            }

            while (!_taken.Add(property))
            {
                property += "_";
            }

            _properties.Add(child.Key, property);
        }
    }

    /// <summary>The nested class a block may become, or null when its name cannot be one.</summary>
    public string? BlockClass(string block) => _blockClasses.TryGetValue(block, out var name) ? name : null;

    /// <summary>The property that exposes a top-level child, or null for a numbered (unnamed) one.</summary>
    public string? Property(ChildModel child) => _properties.TryGetValue(child.Key, out var name) ? name : null;

    /// <summary>The field that holds a top-level child.</summary>
    public string Field(ChildModel child) => _fields[child.Key];

    /// <summary>A new factory name for an instance of <paramref name="origin"/> (a block or connection kind).</summary>
    public string NewFactory(string origin)
    {
        string name;
        do
        {
            _factoryCounts.TryGetValue(origin, out var count);
            _factoryCounts[origin] = ++count;
            name = origin + "_" + count.ToString(CultureInfo.InvariantCulture);
        }
        while (!_taken.Add(name));

        return name;
    }
}
