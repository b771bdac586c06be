using System;
using System.CommandLine;
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
    /// <summary>The <c>graph</c> command: its arguments, options and action.</summary>
    public static Command Create(ToolEnvironment environment)
    {
        var file = ToolOptions.File();
        var network = ToolOptions.Network("the network to draw (default: the first network of FILE)");
        var format = ToolOptions.Value(
            new Option<string>("--format") { Description = "mermaid (default) or dot; with -o, the file's extension decides (.mmd, .dot, .svg, .png)", HelpName = "mermaid|dot" },
            "mermaid",
            "dot");
        var destination = ToolOptions.Output("write OUT.mmd or OUT.dot, or render OUT.svg / OUT.png with Graphviz 'dot' (found on PATH); without -o the text goes to stdout", "OUT");
        var detail = ToolOptions.Value(
            new Option<string>("--detail") { Description = "layers (default) or blocks: one node per block, for an overview", HelpName = "layers|blocks" },
            "layers",
            "blocks");
        var command = new Command(
            "graph",
            "A Mermaid or Graphviz drawing of a network: a node per layer chain, a box per block, add, concat and multiply nodes, dashed skip edges; SVG or PNG through Graphviz.")
        {
            file,
            network,
            format,
            destination,
            detail,
        };
        command.SetAction(parse => Run(
            new GraphRequest(parse.GetRequiredValue(file), parse.GetValue(network), parse.GetValue(format), parse.GetValue(destination), parse.GetValue(detail)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            environment));
        return command;
    }

    /// <summary>Draws the network <paramref name="request"/> names, to stdout or to a file, rendering SVG and PNG with Graphviz.</summary>
    public static int Run(GraphRequest request, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        var path = NetworkFiles.ExpandOne(request.File);
        var detail = request.Detail switch
        {
            null or "layers" => GraphDetail.Layers,
            "blocks" => GraphDetail.Blocks,
            var other => throw new UsageException($"--detail is 'layers' or 'blocks', not '{other}'"),
        };
        var target = request.Output;
        var format = Format(request.Format, target);

        var workspace = NetworkFiles.Load(new[] { path }, NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, request.Network);
        if (request.Network is null && networks.Count > 1)
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
        if (detail == GraphDetail.Layers && GraphSize.Estimate(graph) is { IsLarge: true } size)
        {
            var blocks = GraphSize.Estimate(GraphBuilder.Build(networks[0], GraphDetail.Blocks));
            error.WriteLine($"netgen: {networks[0].ClassName} at layer detail renders about {size}; --detail blocks draws one node per block (about {blocks})");
        }

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

/// <summary>What <c>netgen graph</c> was asked for: the file, one network or the first, the format, where to write, the detail.</summary>
public sealed record GraphRequest(string File, string? Network, string? Format, string? Output, string? Detail);
