using System;
using System.Collections.Generic;

namespace NetGen.Generator.Binding;

/// <summary>Names visible at a point of the file: parameters, lets, the repeat index, and the block's input shape.</summary>
public sealed class Scope
{
    // A scope holds a handful of names (a block's parameters and lets), and the binder makes one per
    // block call and repeat copy: a short array searched linearly costs less than any dictionary.
    private (string Name, Value Value, int Position)[] _names;
    private int _count;

    /// <param name="capacity">How many names the scope will hold if known (a block's parameters and lets), so it need not grow.</param>
    public Scope(Scope? parent, Shape? input = null, int capacity = 0)
    {
        Parent = parent;
        Input = input ?? parent?.Input;
        _names = capacity == 0 ? Array.Empty<(string, Value, int)>() : new (string, Value, int)[capacity];
    }

    public Scope? Parent { get; }

    /// <summary>The shape entering the enclosing block or network (<c>in.channels</c>, …).</summary>
    public Shape? Input { get; }

    /// <summary>Defines a name; <paramref name="position"/> is where the file defines it, for duplicate reports.</summary>
    public void Define(string name, Value value, int position = -1)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            if (_count == _names.Length)
            {
                Array.Resize(ref _names, Math.Max(4, _count * 2));
            }

            _names[_count++] = (name, value, position);
        }
        else
        {
            // A redefinition keeps the first position, which duplicate reports point at.
            var first = _names[index].Position;
            _names[index] = (name, value, first >= 0 ? first : position);
        }
    }

    public bool IsDefinedHere(string name) => IndexOf(name) >= 0;

    /// <summary>This scope's own names and values (not its parents'), in the order they were defined.</summary>
    public IEnumerable<(string Name, Value Value)> Own
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                yield return (_names[i].Name, _names[i].Value);
            }
        }
    }

    /// <summary>Where this scope's definition of <paramref name="name"/> stands in the file, if it is defined here.</summary>
    public int? DefinedAt(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? null : _names[index].Position;
    }

    public bool TryLookup(string name, out Value value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            var index = scope.IndexOf(name);
            if (index >= 0)
            {
                value = scope._names[index].Value;
                return true;
            }
        }

        value = Value.Error;
        return false;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public IEnumerable<string> Names
    {
        get
        {
            var seen = new SortedSet<string>(StringComparer.Ordinal);
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                for (var i = 0; i < scope._count; i++)
                {
                    seen.Add(scope._names[i].Name);
                }
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
