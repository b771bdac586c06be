using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

/// <summary>
/// One step of a network's main path as ForwardFeatures (C#) and forward_features (Python) run it: the child at
/// <see cref="Path"/> (an index among the network's children, then among a sequence's on the way), whether it may
/// overwrite its input in place, and the taps read right after it.
/// </summary>
internal sealed record TapStep(ChildModel Child, IReadOnlyList<int> Path, bool InPlace, IReadOnlyList<TapModel> Taps);

/// <summary>
/// The main path up to a network's last tap: a top-level child or a sequence's child is one step, unless a tap lies
/// inside it, in which case its children are steps; auxiliary heads are not on the path.
/// </summary>
internal static class TapSteps
{
    public static IReadOnlyList<TapStep> Plan(NetworkModel network)
    {
        var steps = new List<(ChildModel Child, int[] Path, bool InPlace, List<TapModel> Taps)>();
        var remaining = network.Taps.Count;
        var top = network.Children;
        for (var i = 0; i < top.Count && remaining > 0; i++)
        {
            if (top[i].Role != ChildRole.Auxiliary)
            {
                Add(network.Taps, steps, top, i, new[] { i }, ref remaining);
            }
        }

        return steps.Select(s => new TapStep(s.Child, s.Path, s.InPlace, s.Taps)).ToList();
    }

    private static void Add(
        IReadOnlyList<TapModel> taps, List<(ChildModel Child, int[] Path, bool InPlace, List<TapModel> Taps)> steps, IReadOnlyList<ChildModel> siblings, int index, int[] path, ref int remaining)
    {
        var below = taps.Any(t => t.Path.Count > path.Length && StartsWith(t.Path, path));
        if (below && siblings[index].Module is SequenceModel sequence)
        {
            for (var j = 0; j < sequence.Children.Count && remaining > 0; j++)
            {
                Add(taps, steps, sequence.Children, j, path.Append(j).ToArray(), ref remaining);
            }
        }
        else
        {
            steps.Add((siblings[index], path, NetworkEmitter.InPlace(siblings, index), new List<TapModel>()));
        }

        var here = taps.Where(t => t.Path.Count == path.Length && StartsWith(t.Path, path)).ToList();
        steps[steps.Count - 1].Taps.AddRange(here);
        remaining -= here.Count;
    }

    private static bool StartsWith(IReadOnlyList<int> path, int[] prefix)
    {
        for (var i = 0; i < prefix.Length; i++)
        {
            if (path[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }
}
