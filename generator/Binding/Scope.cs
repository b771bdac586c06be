using System.Collections.Generic;

namespace NetGen.Generator.Binding;

/// <summary>Names visible at a point of the file: parameters, lets, the repeat index, and the block's input shape.</summary>
public sealed class Scope
{
    private readonly Dictionary<string, Value> _values = new();

    public Scope(Scope? parent, Shape? input = null)
    {
        Parent = parent;
        Input = input ?? parent?.Input;
    }

    public Scope? Parent { get; }

    /// <summary>The shape entering the enclosing block or network (<c>in.channels</c>, …).</summary>
    public Shape? Input { get; }

    public void Define(string name, Value value) => _values[name] = value;

    public bool IsDefinedHere(string name) => _values.ContainsKey(name);

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
