using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen.Generator.Emit;

/// <summary>
/// User text (DSL comments, file names, values) made safe inside C# comments. C# ends a line at \r,
/// \n, U+0085, U+2028 and U+2029, so any of them in a <c>//</c> or <c>///</c> comment would turn the
/// rest of the text into code; other control characters, unpaired surrogates and bidirectional
/// overrides (which make a file read differently from how it compiles) are replaced as well.
/// </summary>
public static class CommentText
{
    /// <summary>The text on one comment line: every unsafe character becomes U+FFFD.</summary>
    public static string Line(string text)
    {
        StringBuilder? safe = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                safe?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (IsUnsafe(c))
            {
                safe ??= new StringBuilder(text, 0, i, text.Length);
                safe.Append('\uFFFD');
            }
            else
            {
                safe?.Append(c);
            }
        }

        return safe?.ToString() ?? text;
    }

    /// <summary>The text in an XML doc comment: <see cref="Line"/>, then XML's three special characters escaped.</summary>
    public static string Xml(string text) => Line(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The text's lines, split at every C# line terminator.</summary>
    public static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029')
            {
                yield return text.Substring(start, i - start);
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        yield return text.Substring(start);
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || c is '\u2028' or '\u2029' or '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
