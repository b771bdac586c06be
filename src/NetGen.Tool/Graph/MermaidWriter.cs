using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NetGen.Tool.Graph;

/// <summary>
/// Writes a <see cref="FlowGraph"/> as a Mermaid <c>flowchart TD</c>: every label quoted, with the
/// characters Mermaid reads as syntax written as entity codes; blocks as nested subgraphs.
/// </summary>
public static class MermaidWriter
{
    private static readonly (NodeTone Tone, string Style)[] Styles =
    {
        (NodeTone.Terminal, "fill:#e6e6e6,stroke:#5a6b7d,color:#000"),
        (NodeTone.Conv, "fill:#d6e6f7,stroke:#3b6ea5,color:#000"),
        (NodeTone.Pool, "fill:#e3e3e3,stroke:#5a6b7d,color:#000"),
        (NodeTone.Linear, "fill:#fcdcbf,stroke:#b9770e,color:#000"),
        (NodeTone.Norm, "fill:#dcf0d8,stroke:#4e8a3e,color:#000"),
        (NodeTone.Block, "fill:#e8dcf5,stroke:#7d5ba6,color:#000"),
        (NodeTone.Join, "fill:#ffe08a,stroke:#b7950b,color:#000"),
    };

    public static string Write(FlowGraph graph)
    {
        var text = new StringBuilder();
        text.AppendLine("flowchart TD");
        text.AppendLine("    %% " + graph.Title.Replace("\n", " "));
        WriteItems(text, graph.Root.Items, "    ");
        for (var i = 0; i < graph.Edges.Count; i++)
        {
            var edge = graph.Edges[i];
            var arrow = edge.Kind == EdgeKind.Data ? "-->" : "-.->";
            var label = edge.Label is null ? string.Empty : $"|\"{Escape(edge.Label)}\"|";
            text.AppendLine($"    {edge.From} {arrow}{label} {edge.To}");
        }

        var skips = Indexes(graph.Edges, EdgeKind.Skip);
        if (skips.Length > 0)
        {
            text.AppendLine($"    linkStyle {skips} stroke:#c0392b,color:#c0392b");
        }

        var nodes = graph.Root.Nodes.ToList();
        foreach (var (tone, style) in Styles)
        {
            var ids = nodes.Where(n => n.Tone == tone).Select(n => n.Id).ToList();
            if (ids.Count > 0)
            {
                var name = tone.ToString().ToLowerInvariant();
                text.AppendLine($"    classDef {name} {style}");
                text.AppendLine($"    class {string.Join(",", ids)} {name}");
            }
        }

        return text.ToString();
    }

    private static void WriteItems(StringBuilder text, IEnumerable<object> items, string indent)
    {
        foreach (var item in items)
        {
            if (item is GraphNode node)
            {
                var label = "\"" + string.Join("<br/>", node.Lines.Select(Escape)) + "\"";
                text.AppendLine(indent + node.Id + node.Kind switch
                {
                    NodeKind.Input or NodeKind.Output => $"([{label}])",
                    NodeKind.Add or NodeKind.Multiply => $"(({label}))",
                    NodeKind.Concat => $"{{{{{label}}}}}",
                    NodeKind.Block => $"[[{label}]]",
                    _ => $"[{label}]",
                });
            }
            else if (item is GraphCluster cluster && cluster.Nodes.Any())
            {
                text.AppendLine($"{indent}subgraph {cluster.Id}[\"{Escape(cluster.Label)}\"]");
                text.AppendLine($"{indent}    direction TB");
                WriteItems(text, cluster.Items, indent + "    ");
                text.AppendLine($"{indent}end");
            }
        }
    }

    private static string Indexes(IReadOnlyList<GraphEdge> edges, EdgeKind kind) =>
        string.Join(",", edges.Select((e, i) => (e, i)).Where(p => p.e.Kind == kind).Select(p => p.i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Label text with Mermaid's syntax characters as entity codes (#34; for a quote).</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '#' or '"' or '<' or '>' or '&' or '|' or '`' => "#" + ((int)c).ToString(CultureInfo.InvariantCulture) + ";",
                '\n' => "<br/>",
                '\r' => string.Empty,
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
