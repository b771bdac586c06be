using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.CommandLineSupport;

/// <summary>The names nearest to a mistyped one, by edit distance ignoring case, for "did you mean" in a usage error.</summary>
internal static class Closest
{
    /// <summary>
    /// The names at the smallest distance from <paramref name="typed"/>, at most <paramref name="count"/>, when that
    /// distance is at most a third of the longer name's length (plus one): names that share nothing are no suggestion.
    /// A name that starts with what was typed counts as distance 1 (<c>dense</c> for <c>densenet</c>).
    /// </summary>
    public static IReadOnlyList<string> Names(string typed, IEnumerable<string> names, int count = 3)
    {
        var scored = names
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name => (Name: name, Distance: Distance(typed, name)))
            .Where(s => s.Distance <= (Math.Max(typed.Length, s.Name.Length) / 3) + 1)
            .ToList();
        if (scored.Count == 0)
        {
            return Array.Empty<string>();
        }

        var best = scored.Min(s => s.Distance);
        return scored.Where(s => s.Distance == best).Select(s => s.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Take(count).ToList();
    }

    /// <summary>"'resnet' or 'regnet'".</summary>
    public static string Quoted(IReadOnlyList<string> names) => string.Join(" or ", names.Select(n => $"'{n}'"));

    private static int Distance(string typed, string name)
    {
        var a = typed.ToLowerInvariant();
        var b = name.ToLowerInvariant();
        if (a.Length > 0 && b.StartsWith(a, StringComparison.Ordinal) && a != b)
        {
            return 1;
        }

        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
