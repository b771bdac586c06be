using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary>A drawn graph read back: node labels by id, edges, and clusters.</summary>
public sealed record DrawnGraph(IReadOnlyDictionary<string, string> Nodes, IReadOnlyList<(string From, string To, string Arrow, string? Label)> Edges, int Clusters)
{
    public IEnumerable<string> NodesStartingWith(string prefix) => Nodes.Keys.Where(id => Regex.IsMatch(id, "^" + prefix + "[0-9]+$"));
}

/// <summary>
/// Strict readers of the Mermaid and DOT the tool writes: every line must be a statement of the subset
/// it uses, subgraphs must close, and every edge must join declared nodes.
/// </summary>
public static class GraphSyntax
{
    private static readonly Regex MermaidNode = new(@"^(?<id>[A-Za-z_]\w*)(?<open>\(\[|\(\(|\{\{|\[\[|\[)""(?<label>[^""]*)""(?<close>\]\)|\)\)|\}\}|\]\]|\])$");
    private static readonly Regex MermaidEdge = new(@"^(?<from>[A-Za-z_]\w*) (?<arrow>-->|-\.->)(\|""(?<label>[^""]*)""\|)? (?<to>[A-Za-z_]\w*)$");
    private static readonly Regex MermaidSubgraph = new(@"^subgraph (?<id>[A-Za-z_]\w*)\[""[^""]*""\]$");
    private static readonly Regex DotNode = new(@"^(?<id>[A-Za-z_]\w*) \[label=""(?<label>(?:[^""\\]|\\.)*)""(, [a-z]+=(""(?:[^""\\]|\\.)*""|[\w.]+))*\];$");
    private static readonly Regex DotEdge = new(@"^(?<from>[A-Za-z_]\w*) -> (?<to>[A-Za-z_]\w*)( \[(?<attributes>.*)\])?;$");
    private static readonly Regex DotCluster = new(@"^subgraph cluster_\w+ \{$");

    private static readonly Dictionary<string, string> MermaidClosers = new()
    {
        ["(["] = "])",
        ["(("] = "))",
        ["{{"] = "}}",
        ["[["] = "]]",
        ["["] = "]",
    };

    public static DrawnGraph ReadMermaid(string text)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("flowchart TD", lines[0]);
        var nodes = new Dictionary<string, string>();
        var edges = new List<(string, string, string, string?)>();
        var open = 0;
        var clusters = 0;
        foreach (var raw in lines.Skip(1))
        {
            var line = raw.Trim();
            Match match;
            if (line.StartsWith("%%") || line == "direction TB" || line.StartsWith("classDef ") || line.StartsWith("class ") || line.StartsWith("linkStyle "))
            {
                continue;
            }
            else if (MermaidSubgraph.IsMatch(line))
            {
                open++;
                clusters++;
            }
            else if (line == "end")
            {
                Assert.True(--open >= 0, "'end' without a subgraph");
            }
            else if ((match = MermaidNode.Match(line)).Success)
            {
                Assert.Equal(MermaidClosers[match.Groups["open"].Value], match.Groups["close"].Value);
                var label = match.Groups["label"].Value;
                Assert.DoesNotMatch("[<>]", label.Replace("<br/>", string.Empty));
                nodes.Add(match.Groups["id"].Value, label);
            }
            else if ((match = MermaidEdge.Match(line)).Success)
            {
                edges.Add((match.Groups["from"].Value, match.Groups["to"].Value, match.Groups["arrow"].Value, match.Groups["label"].Success ? match.Groups["label"].Value : null));
            }
            else
            {
                Assert.Fail("not a Mermaid statement the tool writes: " + raw);
            }
        }

        Assert.Equal(0, open);
        AssertEdgesJoinNodes(nodes, edges);
        return new DrawnGraph(nodes, edges, clusters);
    }

    public static DrawnGraph ReadDot(string text)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Matches(@"^digraph ""\w+"" \{$", lines[0]);
        Assert.Equal("}", lines[^1]);
        var nodes = new Dictionary<string, string>();
        var edges = new List<(string, string, string, string?)>();
        var open = 1;
        var clusters = 0;
        foreach (var raw in lines.Skip(1).Take(lines.Length - 2))
        {
            var line = raw.Trim();
            Match match;
            if (DotCluster.IsMatch(line))
            {
                open++;
                clusters++;
            }
            else if (line == "}")
            {
                Assert.True(--open >= 1, "'}' closes the graph early");
            }
            else if (Regex.IsMatch(line, @"^(graph|node|edge) \[.*\];$") || Regex.IsMatch(line, @"^(\w+=(""(?:[^""\\]|\\.)*""|[\w.]+); ?)+$"))
            {
                continue;
            }
            else if ((match = DotNode.Match(line)).Success)
            {
                nodes.Add(match.Groups["id"].Value, Regex.Unescape(match.Groups["label"].Value.Replace("\\n", "\n")));
            }
            else if ((match = DotEdge.Match(line)).Success)
            {
                var attributes = match.Groups["attributes"].Value;
                var style = Regex.Match(attributes, "style=(\\w+)");
                var label = Regex.Match(attributes, "label=\"\\s*((?:[^\"\\\\]|\\\\.)*)\"");
                edges.Add((match.Groups["from"].Value, match.Groups["to"].Value, style.Success ? style.Groups[1].Value : "solid", label.Success ? label.Groups[1].Value : null));
            }
            else
            {
                Assert.Fail("not a DOT statement the tool writes: " + raw);
            }
        }

        Assert.Equal(1, open);
        AssertEdgesJoinNodes(nodes, edges);
        return new DrawnGraph(nodes, edges, clusters);
    }

    private static void AssertEdgesJoinNodes(Dictionary<string, string> nodes, List<(string From, string To, string, string?)> edges)
    {
        Assert.NotEmpty(edges);
        foreach (var (from, to, _, _) in edges)
        {
            Assert.True(nodes.ContainsKey(from), $"edge from undeclared node {from}");
            Assert.True(nodes.ContainsKey(to), $"edge to undeclared node {to}");
        }
    }
}
