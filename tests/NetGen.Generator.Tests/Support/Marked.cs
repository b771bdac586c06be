using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Tests.Support;

/// <summary>
/// Input text with expected spans marked in brackets, Minsk-style: "conv([bogus]=1)" marks "bogus".
/// Brackets are not DSL characters, so marking never changes what is parsed.
/// </summary>
public sealed class Marked
{
    private Marked(string text, IReadOnlyList<TextSpan> spans)
    {
        Text = text;
        Spans = spans;
    }

    public string Text { get; }

    public IReadOnlyList<TextSpan> Spans { get; }

    public static Marked Parse(string marked)
    {
        var text = new StringBuilder();
        var spans = new List<TextSpan>();
        var starts = new Stack<int>();
        foreach (var c in marked)
        {
            if (c == '[')
            {
                starts.Push(text.Length);
            }
            else if (c == ']')
            {
                var start = starts.Pop();
                spans.Add(TextSpan.FromBounds(start, text.Length));
            }
            else
            {
                text.Append(c);
            }
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new Marked(text.ToString(), spans);
    }
}
