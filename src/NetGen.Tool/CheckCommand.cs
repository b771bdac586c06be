using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen check FILES...</c>: compiles the files as a project would and prints every diagnostic in the
/// C# compiler's format (<c>path(line,col): error NG0201: message</c>), then a one-line count.
/// </summary>
public static class CheckCommand
{
    public const string Usage =
        """
        Usage: netgen check FILES... [--namespace NS]

        Compiles .net.txt files (files, directories searched recursively, or globs such as 'nets/**/*.net.txt')
        together, as one project does, and prints each diagnostic as the compiler does:
          path(line,col): error NG0201: message
        then a count of files, classes (networks and variants; those an error leaves out are counted
        as not generated) and diagnostics. Exit code 1 if any diagnostic is an error, else 0.

          --namespace NS   the namespace of the generated classes (default NetGen.Generated), as a project's
                           RootNamespace; it decides which classes collide across files
        """;

    private static readonly Dictionary<string, string> ValueOptions = new() { ["--namespace"] = "--namespace" };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Cli.Help(args, output, Usage))
        {
            return Cli.Success;
        }

        var line = CommandLine.Parse("check", args, ValueOptions, Array.Empty<string>());
        if (line.Positionals.Count == 0)
        {
            throw new UsageException("'check' needs at least one file, directory or glob; see 'netgen check --help'");
        }

        var workspace = NetworkFiles.Load(NetworkFiles.Expand(line.Positionals), line.Value("--namespace") ?? NetGenCompiler.DefaultNamespace);
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
