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
        then a count. Exit code 1 if any diagnostic is an error, else 0.

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

        output.WriteLine($"{Plural(workspace.Files.Count, "file")}, {Plural(workspace.Networks.Count(), "network")}: {string.Join(", ", tally)}");
        return Count(DiagnosticSeverity.Error) > 0 ? Cli.Failure : Cli.Success;
    }

    private static string Plural(int count, string noun) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (count == 1 || noun == "info" ? noun : noun + "s");
}
