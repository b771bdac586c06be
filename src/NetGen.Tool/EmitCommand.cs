using System;
using System.Collections.Generic;
using System.IO;
using NetGen.Generator;
using NetGen.Generator.Emit;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen emit FILE</c>: the C# the source generator adds to a compilation, byte for byte, from the same
/// front end and <see cref="NetworkEmitter"/>.
/// </summary>
public static class EmitCommand
{
    public const string Usage =
        """
        Usage: netgen emit FILE [--network NAME] [-o DIR] [--namespace NS]

        Prints the C# the NetGen source generator produces for each network of FILE (exactly its text),
        or writes one <Class>.g.cs per network into DIR.

          --network NAME   only this network (a network or variant class name)
          -o, --output DIR write files into DIR (created if missing) instead of printing
          --namespace NS   the namespace of the classes, as a project's RootNamespace (default NetGen.Generated)
        """;

    private static readonly Dictionary<string, string> ValueOptions = new()
    {
        ["--network"] = "--network",
        ["-o"] = "--output",
        ["--output"] = "--output",
        ["--namespace"] = "--namespace",
    };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Cli.Help(args, output, Usage))
        {
            return Cli.Success;
        }

        var line = CommandLine.Parse("emit", args, ValueOptions, Array.Empty<string>());
        var path = NetworkFiles.ExpandOne(line.Single("emit", "file"));
        var workspace = NetworkFiles.Load(new[] { path }, line.Value("--namespace") ?? NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, line.Value("--network"));
        var directory = line.Value("--output");
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        for (var i = 0; i < networks.Count; i++)
        {
            var source = NetworkEmitter.Emit(networks[i], NetGenCompiler.Version);
            if (directory is null)
            {
                if (i > 0)
                {
                    output.WriteLine();
                }

                output.Write(source);
            }
            else
            {
                var file = Path.Combine(directory, networks[i].ClassName + ".g.cs");
                File.WriteAllText(file, source);
                output.WriteLine("wrote " + file);
            }
        }

        return Cli.Success;
    }
}
