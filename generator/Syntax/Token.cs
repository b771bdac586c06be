using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Syntax;

/// <summary>A token: its kind, where it stands in the file, and its text.</summary>
public readonly record struct Token(TokenKind Kind, TextSpan Span, string Text)
{
    public bool IsMissing => Span.Length == 0 && Kind is not (TokenKind.EndOfFile or TokenKind.NewLine or TokenKind.Indent or TokenKind.Dedent);
}

/// <summary>Keyword spellings and the display names used in messages.</summary>
public static class SyntaxFacts
{
    private static readonly Dictionary<string, TokenKind> Keywords = new()
    {
        ["network"] = TokenKind.NetworkKeyword,
        ["block"] = TokenKind.BlockKeyword,
        ["input"] = TokenKind.InputKeyword,
        ["let"] = TokenKind.LetKeyword,
        ["residual"] = TokenKind.ResidualKeyword,
        ["shortcut"] = TokenKind.ShortcutKeyword,
        ["then"] = TokenKind.ThenKeyword,
        ["dense"] = TokenKind.DenseKeyword,
        ["concat"] = TokenKind.ConcatKeyword,
        ["seq"] = TokenKind.SeqKeyword,
        ["when"] = TokenKind.WhenKeyword,
        ["as"] = TokenKind.AsKeyword,
        ["and"] = TokenKind.AndKeyword,
        ["or"] = TokenKind.OrKeyword,
        ["not"] = TokenKind.NotKeyword,
        ["true"] = TokenKind.TrueKeyword,
        ["false"] = TokenKind.FalseKeyword,
        ["in"] = TokenKind.InKeyword,
        ["namespace"] = TokenKind.NamespaceKeyword,
        ["variant"] = TokenKind.VariantKeyword,
        ["gate"] = TokenKind.GateKeyword,
        ["aux"] = TokenKind.AuxKeyword,
        ["from"] = TokenKind.FromKeyword,
        ["split"] = TokenKind.SplitKeyword,
    };

    public static TokenKind KeywordKind(string text) =>
        Keywords.TryGetValue(text, out var kind) ? kind : TokenKind.Identifier;

    public static IEnumerable<string> KeywordSpellings => Keywords.Keys;

    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.EndOfFile => "end of file",
        TokenKind.BadToken => "bad character",
        TokenKind.NewLine => "end of line",
        TokenKind.Indent => "indented line",
        TokenKind.Dedent => "end of indented block",
        TokenKind.Identifier => "name",
        TokenKind.Integer => "integer",
        TokenKind.Float => "number",
        TokenKind.OpenParen => "'('",
        TokenKind.CloseParen => "')'",
        TokenKind.Comma => "','",
        TokenKind.Colon => "':'",
        TokenKind.Dot => "'.'",
        TokenKind.Equals => "'='",
        TokenKind.Plus => "'+'",
        TokenKind.Minus => "'-'",
        TokenKind.Star => "'*'",
        TokenKind.StarStar => "'**'",
        TokenKind.Slash => "'/'",
        TokenKind.SlashSlash => "'//'",
        TokenKind.Percent => "'%'",
        TokenKind.Less => "'<'",
        TokenKind.LessEquals => "'<='",
        TokenKind.Greater => "'>'",
        TokenKind.GreaterEquals => "'>='",
        TokenKind.EqualsEquals => "'=='",
        TokenKind.BangEquals => "'!='",
        TokenKind.Question => "'?'",
        TokenKind.OpenBrace => "'{'",
        TokenKind.CloseBrace => "'}'",
        TokenKind.Cross => "'x'",
        _ => "'" + KeywordText(kind) + "'",
    };

    private static string KeywordText(TokenKind kind)
    {
        foreach (var pair in Keywords)
        {
            if (pair.Value == kind)
            {
                return pair.Key;
            }
        }

        return kind.ToString();
    }
}
