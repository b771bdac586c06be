using System.Collections.Generic;

namespace NetGen.Generator.Binding;

/// <summary>Names visible at a point of the file: parameters, lets, the repeat index, and the block's input shape.</summary>
public sealed class Scope
{
    private readonly Dictionary<string, Value> _values = new();
    private readonly Dictionary<string, int> _positions = new();

    public Scope(Scope? parent, Shape? input = null)
    {
        Parent = parent;
        Input = input ?? parent?.Input;
    }

    public Scope? Parent { get; }

    /// <summary>The shape entering the enclosing block or network (<c>in.channels</c>, …).</summary>
    public Shape? Input { get; }

    /// <summary>Defines a name; <paramref name="position"/> is where the file defines it, for duplicate reports.</summary>
    public void Define(string name, Value value, int position = -1)
    {
        _values[name] = value;
        if (position >= 0 && !_positions.ContainsKey(name))
        {
            _positions[name] = position;
        }
    }

    public bool IsDefinedHere(string name) => _values.ContainsKey(name);

    /// <summary>Where this scope's definition of <paramref name="name"/> stands in the file, if it is defined here.</summary>
    public int? DefinedAt(string name) =>
        _positions.TryGetValue(name, out var position) ? position : _values.ContainsKey(name) ? -1 : null;

    public bool TryLookup(string name, out Value value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._values.TryGetValue(name, out value!))
            {
                return true;
            }
        }

        value = Value.Error;
        return false;
    }

    public IEnumerable<string> Names
    {
        get
        {
            var seen = new SortedSet<string>(System.StringComparer.Ordinal);
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                seen.UnionWith(scope._values.Keys);
            }

            if (Input is not null)
            {
                seen.Add("in.channels");
                seen.Add("in.height");
                seen.Add("in.width");
            }

            return seen;
        }
    }
}
