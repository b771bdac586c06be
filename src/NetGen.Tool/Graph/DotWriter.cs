using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace NetGen.Tool.Graph;

/// <summary>
/// Writes a <see cref="FlowGraph"/> in Graphviz's DOT language: top to bottom, one <c>subgraph cluster_N</c>
/// per block, dashed red skip edges, dotted edges into auxiliary heads.
/// </summary>
public static class DotWriter
{
    public static string Write(FlowGraph graph)
    {
        var text = new StringBuilder();
        text.AppendLine($"digraph {Quote(graph.Name)} {{");
        text.AppendLine($"    graph [rankdir=TB, label={Quote(graph.Title)}, labelloc=t, fontname=\"Helvetica\", fontsize=16, nodesep=0.35, ranksep=0.3, newrank=true];");
        text.AppendLine("    node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, color=\"#5a6b7d\", fillcolor=\"#ffffff\", margin=\"0.15,0.05\"];");
        text.AppendLine("    edge [color=\"#4d4d4d\", arrowsize=0.7, weight=4, fontname=\"Helvetica\", fontsize=10];");
        WriteItems(text, graph.Root.Items, "    ", depth: 0);
        foreach (var edge in graph.Edges)
        {
            text.AppendLine($"    {edge.From} -> {edge.To}{EdgeAttributes(edge)};");
        }

        text.AppendLine("}");
        return text.ToString();
    }

    private static void WriteItems(StringBuilder text, IEnumerable<object> items, string indent, int depth)
    {
        foreach (var item in items)
        {
            if (item is GraphNode node)
            {
                text.AppendLine($"{indent}{node.Id} [label={Quote(string.Join("\n", node.Lines))}{NodeAttributes(node)}];");
            }
            else if (item is GraphCluster cluster && cluster.Nodes.Any())
            {
                text.AppendLine($"{indent}subgraph cluster_{cluster.Id} {{");
                text.AppendLine($"{indent}    label={Quote(cluster.Label)}; labeljust=l; fontname=\"Helvetica-Bold\"; fontsize=12;");
                text.AppendLine($"{indent}    style=\"rounded,filled\"; color=\"#9aa5b1\"; fillcolor={Quote(depth % 2 == 0 ? "#f5f7fa" : "#ffffff")};");
                WriteItems(text, cluster.Items, indent + "    ", depth + 1);
                text.AppendLine($"{indent}}}");
            }
        }
    }

    private static string NodeAttributes(GraphNode node) => node.Kind switch
    {
        NodeKind.Input or NodeKind.Output => ", shape=ellipse, style=filled, fillcolor=\"#e6e6e6\"",
        NodeKind.Add or NodeKind.Multiply => ", shape=circle, fixedsize=false, margin=0.02, fillcolor=\"#ffe08a\", color=\"#b7950b\"",
        NodeKind.Concat => ", shape=hexagon, style=filled, fillcolor=\"#ffe08a\", color=\"#b7950b\"",
        NodeKind.Block => ", style=filled, fillcolor=\"#e8dcf5\", color=\"#7d5ba6\"",
        _ => node.Tone switch
        {
            NodeTone.Conv => ", fillcolor=\"#d6e6f7\", color=\"#3b6ea5\"",
            NodeTone.Pool => ", fillcolor=\"#e3e3e3\"",
            NodeTone.Linear => ", fillcolor=\"#fcdcbf\", color=\"#b9770e\"",
            NodeTone.Norm => ", fillcolor=\"#dcf0d8\", color=\"#4e8a3e\"",
            _ => string.Empty,
        },
    };

    private static string EdgeAttributes(GraphEdge edge)
    {
        var label = edge.Label is null ? string.Empty : $", label={Quote(" " + edge.Label)}";
        return edge.Kind switch
        {
            EdgeKind.Skip => $" [style=dashed, weight=1, color=\"#c0392b\", fontcolor=\"#c0392b\"{label}]",
            EdgeKind.Auxiliary => $" [style=dotted, color=\"#7f8c8d\", fontcolor=\"#7f8c8d\"{label}]",
            _ => label.Length == 0 ? string.Empty : $" [{label.Substring(2)}]",
        };
    }

    /// <summary>A DOT string: backslashes and quotes escaped, line breaks as \n.</summary>
    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", string.Empty).Replace("\n", "\\n") + "\"";
}
