using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

// How a block class names what differs between calls: a parameter or let, the input's channels, a multiple or
// fraction of a parameter; a bool parameter for a child only some calls have; and the constructor's parameters.
public sealed partial class NetworkEmitter
{
    /// <summary>The bool parameter (or its negation) that is true exactly in the calls where a child is present.</summary>
    private static (string Text, string Parameter)? Presence(List<ModuleModel> instances, List<bool> present, Dictionary<string, string> csharp)
    {
        foreach (var binding in instances[0].Bindings)
        {
            var values = instances.Select(i => Candidate(i, binding.Name)).ToList();
            if (values.Any(v => v is null || v.Kind != ValueKind.Bool))
            {
                continue;
            }

            if (values.Zip(present, (v, p) => v!.AsBool == p).All(e => e))
            {
                return (csharp[binding.Name], binding.Name);
            }

            if (values.Zip(present, (v, p) => v!.AsBool != p).All(e => e))
            {
                return ("!" + csharp[binding.Name], binding.Name);
            }
        }

        return null;
    }

    /// <summary>
    /// What equals <paramref name="values"/> in every call: a block parameter or let, the input's channels, or a multiple or
    /// fraction of one. With <paramref name="varying"/> (a constant of a part only some calls have), only a parameter equal to it
    /// outright that differs among those calls.
    /// </summary>
    private static (string Text, string Parameter)? Unify(List<ModuleModel> instances, List<Value> values, Dictionary<string, string> csharp, List<ModuleModel>? varying = null)
    {
        var candidates = instances[0].Bindings.Select(b => b.Name).Prepend(InChannels)
            .Where(c => varying is null || varying.Select(i => Candidate(i, c)).Distinct().Count() > 1)
            .ToList();

        // Outright: lets before parameters, the last first ('mid' reads as the DSL wrote it even where it equals
        // 'width'); multiples and fractions: of the parameters in order ('width * 4').
        var direct = candidates.Take(1).Concat(candidates.Skip(1).Reverse()).FirstOrDefault(c => instances.Select(i => Candidate(i, c)).Zip(values, Equal).All(e => e));
        if (direct is not null || varying is not null)
        {
            // A constant of a part only some calls have is named only by a parameter it equals outright: a multiple
            // of one would name any constant.
            return direct is null ? null : (csharp[direct], direct);
        }

        foreach (var candidate in candidates)
        {
            var found = instances.Select(i => Candidate(i, candidate)).ToList();
            if (found.Any(f => f is null || f.Kind != ValueKind.Int || f.Integer <= 0) || values.Any(v => v.Kind != ValueKind.Int) || values[0].Integer % found[0]!.Integer != 0)
            {
                continue;
            }

            var factor = values[0].Integer / found[0]!.Integer;
            if (factor > 1 && found.Zip(values, (f, v) => f!.Integer * factor == v.Integer).All(e => e))
            {
                return ($"{csharp[candidate]} * {factor.ToString(CultureInfo.InvariantCulture)}", candidate);
            }
        }

        // A fraction of a parameter (DenseNet's transition halves its input's channels).
        foreach (var candidate in candidates)
        {
            var found = instances.Select(i => Candidate(i, candidate)).ToList();
            if (found.Any(f => f is null || f.Kind != ValueKind.Int || f.Integer <= 0) || values.Any(v => v.Kind != ValueKind.Int || v.Integer <= 0) || found[0]!.Integer % values[0].Integer != 0)
            {
                continue;
            }

            var divisor = found[0]!.Integer / values[0].Integer;
            if (divisor > 1 && found.Zip(values, (f, v) => f!.Integer / divisor == v.Integer).All(e => e))
            {
                return ($"{csharp[candidate]} / {divisor.ToString(CultureInfo.InvariantCulture)}", candidate);
            }
        }

        return null;
    }

    private static Value? Candidate(ModuleModel instance, string name)
    {
        if (name == InChannels)
        {
            return instance.Input.ChannelsExpression is null ? instance.Input.ChannelsValue : null;
        }

        var value = instance.Bindings.FirstOrDefault(b => b.Name == name).Value;
        return value is null || value.IsDynamic ? null : value;
    }

    private static bool Equal(Value? candidate, Value value) => candidate is not null && value.Kind switch
    {
        ValueKind.Int => candidate.Kind == ValueKind.Int && candidate.Integer == value.Integer,
        ValueKind.Pair => candidate.Kind == ValueKind.Int && value.IsSquare && candidate.Integer == value.Integer,
        ValueKind.Float => candidate.Kind is ValueKind.Int or ValueKind.Float && candidate.AsDouble == value.AsDouble,
        ValueKind.Bool => candidate.Kind == ValueKind.Bool && candidate.AsBool == value.AsBool,
        _ => false,
    };

    /// <summary>Each candidate's C# name: <c>inChannels</c>, and the block's parameters and lets in camel case, none twice.</summary>
    private static Dictionary<string, string> CSharpParameterNames(ModuleModel instance)
    {
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var taken = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var name in instance.Bindings.Select(b => b.Name).Prepend(InChannels))
        {
            var csharp = name == InChannels ? InChannels : CSharpNames.ParameterName(name);
            while (!taken.Add(csharp.TrimStart('@')))
            {
                csharp += "_";
            }

            names.Add(name, csharp);
        }

        return names;
    }

    /// <summary>The block's constructor parameters: the input's channels, then its parameters and lets in order, those its code uses.</summary>
    private static List<(string Dsl, string CSharp, string Type)> Parameters(List<ModuleModel> instances, HashSet<string> used, Dictionary<string, string> csharp)
    {
        var parameters = new List<(string Dsl, string CSharp, string Type)>();
        if (used.Contains(InChannels))
        {
            parameters.Add((InChannels, csharp[InChannels], "long"));
        }

        foreach (var binding in instances[0].Bindings)
        {
            if (used.Contains(binding.Name))
            {
                // A number that is a float in any call is a double in all.
                var kinds = instances.Select(i => Candidate(i, binding.Name)?.Kind).ToList();
                var type = kinds.Contains(ValueKind.Float) ? "double" : kinds.All(k => k == ValueKind.Bool) ? "bool" : "long";
                parameters.Add((binding.Name, csharp[binding.Name], type));
            }
        }

        return parameters;
    }

    private static string FreeName(string name, IEnumerable<string> taken)
    {
        var set = new HashSet<string>(taken, System.StringComparer.Ordinal);
        while (set.Contains(name.TrimStart('@')))
        {
            name += "_";
        }

        return name;
    }
}
