using System.CommandLine;
using System.CommandLine.Parsing;
using NetGen.Generator;

namespace NetGen.Tool;

/// <summary>Arguments and options several commands share, declared once so that their help reads the same everywhere.</summary>
public static class ToolOptions
{
    /// <summary>The one <c>.net.txt</c> file a single-file command reads.</summary>
    public static Argument<string> File(string description = "the .net.txt file") =>
        new("FILE") { Description = description };

    /// <summary><c>--network NAME</c>: one network or variant class of the file.</summary>
    public static Option<string> Network(string description = "only this network (a network or variant class name)") =>
        Value(new Option<string>("--network") { Description = description, HelpName = "NAME" });

    /// <summary><c>--namespace NS</c>: what a project's RootNamespace would be.</summary>
    public static Option<string> Namespace(string description) =>
        Value(new Option<string>("--namespace") { Description = description, HelpName = "NS" });

    /// <summary><c>-o, --output PATH</c>.</summary>
    public static Option<string> Output(string description, string helpName = "PATH") =>
        Value(new Option<string>("--output", "-o") { Description = description, HelpName = helpName });

    /// <summary>An option whose value is a name or path: an empty value (<c>-o ""</c>) is never meant, so it is a usage error.</summary>
    public static Option<string> Value(Option<string> option, params string[] completions)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value.Length == 0)
            {
                result.AddError($"Option '{Name(result)}' needs a value, not an empty one.");
            }
        });
        if (completions.Length > 0)
        {
            option.CompletionSources.Add(completions);
        }

        return option;
    }

    /// <summary>The option as the user wrote it (<c>-o</c> or <c>--output</c>).</summary>
    private static string Name(OptionResult result) => result.IdentifierToken?.Value ?? result.Option.Name;

    /// <summary>The namespace option's value, or the generator's default.</summary>
    public static string NamespaceOrDefault(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) ?? NetGenCompiler.DefaultNamespace;
}
