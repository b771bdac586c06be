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
        "ParameterCount", "MultiplyAccumulates", "InputShape", "OutputShape", "SourceFile", "forward", "Outputs", "ForwardWithAuxiliary",
    };

    /// <summary><c>num_classes</c> becomes <c>numClasses</c>; a keyword is escaped (<c>@class</c>).</summary>
    public static string ParameterName(string dslName)
    {
        var parts = dslName.Split('_').Where(p => p.Length > 0).ToArray();
        if (parts.Length == 0)
        {
            return Escape(dslName);
        }

        var builder = new StringBuilder(parts[0].Substring(0, 1).ToLowerInvariant() + parts[0].Substring(1));
        foreach (var part in parts.Skip(1))
        {
            builder.Append(char.ToUpperInvariant(part[0])).Append(part.Substring(1));
        }

        return Escape(builder.ToString());
    }

    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.VarKeyword
            ? "@" + name
            : name;

    /// <summary>Why <paramref name="name"/> cannot name a generated class, or null if it can.</summary>
    public static string? ClassNameProblem(string name)
    {
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            return "it is a C# keyword";
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

    /// <summary>Whether a dotted namespace is valid C#.</summary>
    public static bool IsValidNamespace(string name) =>
        name.Length > 0 && name.Split('.').All(part => SyntaxFacts.IsValidIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None);
}
