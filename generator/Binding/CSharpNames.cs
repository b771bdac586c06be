using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Binding;

/// <summary>How DSL names become C# names, and which names the generated code reserves.</summary>
public static class CSharpNames
{
    /// <summary>Members every generated class declares; a network of the same name would not compile.</summary>
    public static readonly IReadOnlyCollection<string> GeneratedMembers = new[]
    {
        "ParameterCount", "MultiplyAccumulates", "StateDictEntries", "InputShape", "OutputShape", "SourceFile", "forward", "Outputs", "ForwardWithAuxiliary",
        "FeatureMaps", "ForwardFeatures",
    };

    /// <summary>The longest namespace (each of its names is limited by the lexer too): it becomes part of file names.</summary>
    public const int MaxNameLength = Syntax.Lexer.MaxIdentifierLength;

    /// <summary>
    /// The runtime types generated code names as <c>global::NetGen.X</c>: a namespace <c>NetGen.X</c> would
    /// shadow them (a test keeps this list equal to what the emitters write).
    /// </summary>
    public static readonly IReadOnlyCollection<string> RuntimeTypes = new[]
    {
        "Branch", "Concat", "DenseConnection", "Gate", "LayerNorm2d", "NetworkInfo", "Norm", "Permute", "Platform", "Residual", "Scale", "Sequence",
        "StochasticDepth", "Submodules", "WeightStandardizedConv2d",
    };

    /// <summary>The catalog class every project with networks gets.</summary>
    public const string CatalogNamespace = "NetGen.Generated";

    /// <summary>The catalog class's name.</summary>
    public const string CatalogClass = "NetworkCatalog";

    /// <summary>
    /// Members of the generated <c>Outputs</c> record (the main output, the record's own and object's
    /// members, the type's name): an auxiliary head's property may not take one.
    /// </summary>
    public static readonly IReadOnlyCollection<string> OutputsMembers = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "Logits", "Outputs", "ToString", "Equals", "GetHashCode", "GetType", "Deconstruct", "EqualityContract", "PrintMembers",
        "MemberwiseClone", "Finalize", "ReferenceEquals", "Clone",
    };

    /// <summary>The property of the <c>Outputs</c> record that holds an auxiliary head's output: <c>aux1</c> becomes <c>Aux1</c>.</summary>
    public static string AuxiliaryProperty(string key) => key.Length == 0 ? key : char.ToUpperInvariant(key[0]) + key.Substring(1).Replace('-', '_');

    /// <summary>
    /// The property that exposes a top-level module: <c>layer4</c> becomes <c>Layer4</c>, <c>trunk_output</c>
    /// <c>TrunkOutput</c>, <c>Conv2d_1a_3x3</c> and <c>block1-0</c> keep their parts (<c>Conv2d_1a_3x3</c>,
    /// <c>Block1_0</c>). Null for a numbered key (<c>2</c>, an unnamed layer): such a module is reached by position.
    /// </summary>
    public static string? ModuleProperty(string key)
    {
        if (key.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(key[0]) || key[0] == '_')
        {
            return null;
        }

        var parts = key.Replace('-', '_').Split('_');
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.Length == 0 || (builder.Length > 0 && !char.IsLetter(part[0])))
            {
                // A part that cannot start a word keeps its separator: 'block1_0' is not 'Block10'.
                builder.Append('_');
            }

            builder.Append(part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part.Substring(1));
        }

        return builder.ToString();
    }

    /// <summary><c>num_classes</c> becomes <c>numClasses</c>; a keyword is escaped (<c>@class</c>).</summary>
    public static string ParameterName(string dslName)
    {
        var parts = dslName.Split('_').Where(p => p.Length > 0).ToArray();
        if (parts.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(parts[0][0]))
        {
            // '_1' would become '1': keep the DSL's own spelling, which is a valid identifier.
            return Escape(dslName);
        }

        var builder = new StringBuilder(parts[0].Substring(0, 1).ToLowerInvariant() + parts[0].Substring(1));
        foreach (var part in parts.Skip(1))
        {
            builder.Append(char.ToUpperInvariant(part[0])).Append(part.Substring(1));
        }

        return Escape(builder.ToString());
    }

    /// <summary>A keyword or contextual keyword gets '@' (<c>@class</c>, <c>@nameof</c>), so it reads as a name everywhere.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;

    /// <summary>Why <paramref name="name"/> cannot name a generated class in <paramref name="namespace"/>, or null if it can.</summary>
    public static string? ClassNameProblem(string name, string @namespace)
    {
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            return "it is a C# keyword";
        }

        if (string.Equals($"{@namespace}.{name}", $"{CatalogNamespace}.{CatalogClass}", System.StringComparison.OrdinalIgnoreCase))
        {
            return $"{CatalogNamespace}.{CatalogClass} is the project's catalog of networks; choose another class name";
        }

        if (name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
        {
            return "C# reserves all-lowercase type names (CS8981); start it with a capital letter";
        }

        if (GeneratedMembers.Contains(name))
        {
            return "the generated class has a member of that name; choose another class name";
        }

        return null;
    }

    /// <summary>Why generated classes cannot go into <paramref name="name"/> (a valid namespace), or null if they can.</summary>
    public static string? NamespaceProblem(string name)
    {
        var parts = name.Split('.');
        if (name.Length > MaxNameLength)
        {
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, "it is {0:#,0} characters long; generated file names allow {1}", name.Length, MaxNameLength);
        }

        if (parts[0] is "System" or "TorchSharp" || name == "NetGen" || (parts[0] == "NetGen" && RuntimeTypes.Contains(parts[1])))
        {
            return "generated code refers to types there, which a generated class could shadow; choose a namespace of your own";
        }

        if (name == $"{CatalogNamespace}.{CatalogClass}" || name.StartsWith($"{CatalogNamespace}.{CatalogClass}.", System.StringComparison.Ordinal))
        {
            return $"{CatalogNamespace}.{CatalogClass} is the project's catalog class; a namespace of that name cannot stand beside it";
        }

        return null;
    }

    /// <summary>Whether a dotted namespace is valid C#.</summary>
    public static bool IsValidNamespace(string name) =>
        name.Length > 0 && name.Split('.').All(part => SyntaxFacts.IsValidIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None);
}
