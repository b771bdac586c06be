using System;
using System.Collections.Generic;
using System.IO;
using NetGen.Generator;
using NetGen.Tool.Graph;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen graph FILE</c>: draws a network as a Mermaid flowchart or a Graphviz graph, and renders
/// SVG or PNG through Graphviz's <c>dot</c> when it is on the search path.
/// </summary>
public static class GraphCommand
{
    public const string Usage =
        """
        Usage: netgen graph FILE [--network NAME] [--format mermaid|dot] [-o OUT] [--detail layers|blocks]

        Draws a network: layers (conv → norm → activation folded into one node) inside a box per block,
        residual adds with dashed skip edges, concat and multiply nodes, auxiliary heads as side branches.

          --network NAME    the network to draw (default: the first network of FILE)
          --format FORMAT   mermaid (default) or dot; with -o, the file's extension decides
          -o, --output OUT  write OUT.mmd or OUT.dot, or render OUT.svg / OUT.png with Graphviz 'dot'
                            (found on PATH); without -o the text goes to stdout
          --detail LEVEL    layers (default) or blocks: one node per block, for an overview
        """;

    private static readonly Dictionary<string, string> ValueOptions = new()
    {
        ["--network"] = "--network",
        ["--format"] = "--format",
        ["-o"] = "--output",
        ["--output"] = "--output",
        ["--detail"] = "--detail",
    };

    public static int Run(string[] args, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        if (Cli.Help(args, output, Usage))
        {
            return Cli.Success;
        }

        var line = CommandLine.Parse("graph", args, ValueOptions, Array.Empty<string>());
        var path = NetworkFiles.ExpandOne(line.Single("graph", "file"));
        var detail = line.Value("--detail") switch
        {
            null or "layers" => GraphDetail.Layers,
            "blocks" => GraphDetail.Blocks,
            var other => throw new UsageException($"--detail is 'layers' or 'blocks', not '{other}'"),
        };
        var target = line.Value("--output");
        var format = Format(line.Value("--format"), target);

        var workspace = NetworkFiles.Load(new[] { path }, NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, line.Value("--network"));
        if (line.Value("--network") is null && networks.Count > 1)
        {
            error.WriteLine($"netgen: drawing {networks[0].ClassName}, the first of {networks.Count} networks in {Path.GetFileName(path)}; choose another with --network NAME");
        }

        var graph = GraphBuilder.Build(networks[0], detail);
        var text = format == "mermaid" ? MermaidWriter.Write(graph) : DotWriter.Write(graph);
        if (target is null)
        {
            output.Write(text);
            return Cli.Success;
        }

        if (format is "dot" or "mermaid")
        {
            File.WriteAllText(target, text);
            output.WriteLine("wrote " + target);
            return Cli.Success;
        }

        var dot = Graphviz.Locate(environment.SearchPath);
        if (dot is null)
        {
            error.WriteLine("netgen: " + Graphviz.NotFoundMessage);
            return Cli.Failure;
        }

        if (Graphviz.Render(dot, text, format, target) is { } failure)
        {
            error.WriteLine("netgen: " + failure);
            return Cli.Failure;
        }

        output.WriteLine("wrote " + target);
        return Cli.Success;
    }

    /// <summary>mermaid, dot, svg or png: from the output's extension, else --format, else mermaid.</summary>
    private static string Format(string? option, string? target)
    {
        if (option is not null and not "mermaid" and not "dot")
        {
            throw new UsageException($"--format is 'mermaid' or 'dot', not '{option}' (for SVG or PNG, write -o graph.svg or -o graph.png)");
        }

        if (target is null)
        {
            return option ?? "mermaid";
        }

        var extension = Path.GetExtension(target).ToLowerInvariant();
        var byExtension = extension switch
        {
            ".mmd" or ".mermaid" or ".md" => "mermaid",
            ".dot" or ".gv" => "dot",
            ".svg" => "svg",
            ".png" => "png",
            _ => option ?? throw new UsageException($"cannot tell the format of '{target}'; use .mmd, .dot, .svg or .png, or give --format"),
        };
        if (option == "mermaid" && byExtension is "svg" or "png" or "dot")
        {
            throw new UsageException($"'{target}' is rendered from DOT, not Mermaid; drop --format mermaid or write a .mmd file");
        }

        if (option == "dot" && byExtension == "mermaid")
        {
            throw new UsageException($"'{target}' is a Mermaid file name; drop --format dot or write a .dot file");
        }

        return byExtension;
    }
}
