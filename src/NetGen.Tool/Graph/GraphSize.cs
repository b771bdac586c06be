using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen.Tool.Graph;

/// <summary>
/// About how large Graphviz draws a <see cref="FlowGraph"/> as <see cref="DotWriter"/> writes it (top to bottom), in
/// pixels at Graphviz's 96 dpi, estimated without running <c>dot</c>: a rank per node on the longest path, a row
/// as wide as its labels. Against <c>dot</c> 2.43's SVG of every zoo class at both levels of detail (160 graphs),
/// both sides come within 20%.
/// </summary>
public readonly record struct GraphSize(int Width, int Height)
{
    /// <summary>
    /// The longest side, in pixels, past which <c>netgen graph</c> suggests <c>--detail blocks</c>: ten screens
    /// of scrolling at 100%, where ResNet-101 at layer detail starts (ResNet-50 is about 6,500 px).
    /// </summary>
    public const int LargeSide = 10_000;

    /// <summary>Points per rank: a node two label lines high, the rank separation and the edge between (60-85 pt measured).</summary>
    private const double RankPoints = 70;

    /// <summary>The graph's title and margins.</summary>
    private const double FramePoints = 40;

    /// <summary>Helvetica 11 pt: the average width of a label character, and a node's side margins (0.15 in each).</summary>
    private const double CharacterPoints = 6.2;

    private const double NodeMarginPoints = 22;

    /// <summary>DOT's nodesep, 0.35 in.</summary>
    private const double NodeSeparationPoints = 25;

    private const double PixelsPerPoint = 96.0 / 72.0;

    /// <summary>Whether a viewer would have to be scrolled for pages: either side over <see cref="LargeSide"/>.</summary>
    public bool IsLarge => Math.Max(Width, Height) > LargeSide;

    /// <summary>"751 x 21,366 px".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Width:N0} x {Height:N0} px");

    /// <summary>The estimated size of <paramref name="graph"/> rendered from its DOT text.</summary>
    public static GraphSize Estimate(FlowGraph graph)
    {
        var nodes = graph.Root.Nodes.ToList();
        var rank = Ranks(nodes, graph.Edges);
        var rows = nodes.GroupBy(n => rank[n.Id]).ToList();
        var widest = rows.Max(row => row.Sum(NodeWidth) + NodeSeparationPoints * (row.Count() - 1));
        var width = Math.Max(widest, graph.Title.Length * CharacterPoints * 16 / 11) + FramePoints;
        var height = (rows.Count * RankPoints) + FramePoints;
        return new GraphSize((int)Math.Round(width * PixelsPerPoint), (int)Math.Round(height * PixelsPerPoint));
    }

    private static double NodeWidth(GraphNode node) => (node.Lines.Max(l => l.Length) * CharacterPoints) + NodeMarginPoints;

    /// <summary>Each node's rank: the length of the longest path from a source to it, as <c>dot</c> ranks an acyclic graph.</summary>
    private static Dictionary<string, int> Ranks(IReadOnlyList<GraphNode> nodes, IReadOnlyList<GraphEdge> edges)
    {
        var rank = nodes.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        var incoming = nodes.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        var outgoing = nodes.ToDictionary(n => n.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var edge in edges.Where(e => rank.ContainsKey(e.From) && rank.ContainsKey(e.To)))
        {
            outgoing[edge.From].Add(edge.To);
            incoming[edge.To]++;
        }

        var ready = new Queue<string>(nodes.Select(n => n.Id).Where(id => incoming[id] == 0));
        while (ready.Count > 0)
        {
            var id = ready.Dequeue();
            foreach (var next in outgoing[id])
            {
                rank[next] = Math.Max(rank[next], rank[id] + 1);
                if (--incoming[next] == 0)
                {
                    ready.Enqueue(next);
                }
            }
        }

        return rank;
    }
}
