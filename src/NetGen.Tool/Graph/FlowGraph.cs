using System.Collections.Generic;

namespace NetGen.Tool.Graph;

/// <summary>What a node stands for; writers choose its shape from this.</summary>
public enum NodeKind
{
    Input,
    Output,
    Layer,
    Block,
    Add,
    Concat,
    Multiply,
}

/// <summary>The colour family of a node, from the layer that does its main work.</summary>
public enum NodeTone
{
    Terminal,
    Conv,
    Pool,
    Linear,
    Norm,
    Other,
    Block,
    Join,
}

/// <summary>How an edge is drawn: the main data path, a skip (or bypass) edge, or the way into an auxiliary head.</summary>
public enum EdgeKind
{
    Data,
    Skip,
    Auxiliary,
}

/// <summary>A drawn node: <see cref="Lines"/> are its label's lines, the first the most important.</summary>
public sealed record GraphNode(string Id, NodeKind Kind, NodeTone Tone, IReadOnlyList<string> Lines);

public sealed record GraphEdge(string From, string To, EdgeKind Kind, string? Label = null);

/// <summary>A box around the nodes of one block or group, nested like the model's modules.</summary>
public sealed class GraphCluster
{
    public GraphCluster(string id, string label, string path)
    {
        Id = id;
        Label = label;
        Path = path;
    }

    public string Id { get; }

    public string Label { get; }

    /// <summary>The state_dict path of the module the cluster draws; node names inside are relative to it.</summary>
    public string Path { get; }

    /// <summary>Nodes and clusters in the order they were made, so the output is stable.</summary>
    public List<object> Items { get; } = new();

    public IEnumerable<GraphNode> Nodes
    {
        get
        {
            foreach (var item in Items)
            {
                if (item is GraphNode node)
                {
                    yield return node;
                }
                else if (item is GraphCluster cluster)
                {
                    foreach (var inner in cluster.Nodes)
                    {
                        yield return inner;
                    }
                }
            }
        }
    }
}

/// <summary>A network as nodes, edges and clusters, ready for a writer (Mermaid, DOT).</summary>
public sealed record FlowGraph(string Name, string Title, GraphCluster Root, IReadOnlyList<GraphEdge> Edges);
