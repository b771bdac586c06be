using System.Globalization;

namespace NetGen;

/// <summary>
/// A child of a container by position or by name: <c>features[3]</c> and <c>block["conv1"]</c> go through one
/// indexer. One, because TorchSharp's <c>to(device)</c> maps a module's public properties by name, and
/// two indexers would both be called <c>Item</c>.
/// </summary>
public readonly record struct ChildKey
{
    private ChildKey(int index, string? name)
    {
        Index = index;
        Name = name;
    }

    /// <summary>The position, when the key is one.</summary>
    public int Index { get; }

    /// <summary>The name (a state_dict key segment), when the key is one.</summary>
    public string? Name { get; }

    /// <summary>A key by position.</summary>
    public static implicit operator ChildKey(int index) => new(index, null);

    /// <summary>A key by name.</summary>
    public static implicit operator ChildKey(string name) => new(-1, name);

    /// <inheritdoc/>
    public override string ToString() => Name is null ? Index.ToString(CultureInfo.InvariantCulture) : $"'{Name}'";
}
