using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen check FILES...</c>: compiles the files as a project would and prints every diagnostic in the
/// C# compiler's format (<c>path(line,col): error NG0201: message</c>), then a one-line count.
/// </summary>
public static class CheckCommand
{
    /// <summary>The <c>check</c> command: its arguments, options and action.</summary>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILES")
        {
            Description = "files, directories (searched recursively) or globs such as 'nets/**/*.net.txt', compiled together as one project",
            Arity = ArgumentArity.OneOrMore,
        };
        var @namespace = ToolOptions.Namespace("the namespace of the generated classes, as a project's RootNamespace (default NetGen.Generated); it decides which classes collide across files");
        var command = new Command(
            "check",
            "Compile files as a project does and print each diagnostic as the compiler does (path(line,col): error NG0201: message), then a count; exit code 1 if any is an error.")
        {
            files,
            @namespace,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(files), ToolOptions.NamespaceOrDefault(parse, @namespace), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Compiles the files named by <paramref name="arguments"/> together and prints every diagnostic and the count.</summary>
    public static int Run(IReadOnlyList<string> arguments, string @namespace, TextWriter output)
    {
        var workspace = NetworkFiles.Load(NetworkFiles.Expand(arguments), @namespace);
        var counts = new Dictionary<DiagnosticSeverity, int>();
        foreach (var diagnostic in workspace.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
            var severity = NetworkFiles.Severity(diagnostic);
            counts[severity] = counts.TryGetValue(severity, out var count) ? count + 1 : 1;
        }

        int Count(DiagnosticSeverity severity) => counts.TryGetValue(severity, out var n) ? n : 0;
        var tally = new List<string>
        {
            Plural(Count(DiagnosticSeverity.Error), "error"),
            Plural(Count(DiagnosticSeverity.Warning), "warning"),
        };
        if (Count(DiagnosticSeverity.Info) > 0)
        {
            tally.Add(Plural(Count(DiagnosticSeverity.Info), "info"));
        }

        // Classes as written (networks and their variants), and how many of them errors leave out.
        var networks = workspace.Files.Sum(f => f.Result.Defined.Networks);
        var variants = workspace.Files.Sum(f => f.Result.Defined.Variants);
        var missing = networks + variants - workspace.Networks.Count();
        var classes = $"{Plural(networks + variants, "class")} ({Plural(networks, "network")}, {Plural(variants, "variant")})" + (missing > 0 ? $", {missing.ToString(System.Globalization.CultureInfo.InvariantCulture)} not generated" : string.Empty);
        output.WriteLine($"{Plural(workspace.Files.Count, "file")}, {classes}: {string.Join(", ", tally)}");
        return Count(DiagnosticSeverity.Error) > 0 ? Cli.Failure : Cli.Success;
    }

    private static string Plural(int count, string noun) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (count == 1 || noun == "info" ? noun : noun.EndsWith("s", StringComparison.Ordinal) ? noun + "es" : noun + "s");
}
