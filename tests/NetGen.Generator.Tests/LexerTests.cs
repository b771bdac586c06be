using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Syntax;
using Xunit;

namespace NetGen.Generator.Tests;

public class LexerTests
{
    private static List<Token> Lex(string text, DiagnosticBag? diagnostics = null) =>
        Lexer.Lex(text, diagnostics ?? new DiagnosticBag()).ToList();

    private static TokenKind[] Kinds(string text) => Lex(text).Select(t => t.Kind).ToArray();

    /// <summary>A sample for every token kind; the test below fails when a kind has none.</summary>
    public static readonly Dictionary<TokenKind, string> Samples = new()
    {
        [TokenKind.EndOfFile] = "",
        [TokenKind.BadToken] = "$",
        [TokenKind.NewLine] = "a\n",
        [TokenKind.Indent] = "a\n  b\n",
        [TokenKind.Dedent] = "a\n  b\nc\n",
        [TokenKind.Identifier] = "conv1",
        [TokenKind.Integer] = "224",
        [TokenKind.Float] = "1e-5",
        [TokenKind.OpenParen] = "(",
        [TokenKind.CloseParen] = ")",
        [TokenKind.Comma] = ",",
        [TokenKind.Colon] = ":",
        [TokenKind.Dot] = ".",
        [TokenKind.Equals] = "=",
        [TokenKind.Plus] = "+",
        [TokenKind.Minus] = "-",
        [TokenKind.Star] = "*",
        [TokenKind.StarStar] = "**",
        [TokenKind.Slash] = "/",
        [TokenKind.SlashSlash] = "//",
        [TokenKind.Percent] = "%",
        [TokenKind.Less] = "<",
        [TokenKind.LessEquals] = "<=",
        [TokenKind.Greater] = ">",
        [TokenKind.GreaterEquals] = ">=",
        [TokenKind.EqualsEquals] = "==",
        [TokenKind.BangEquals] = "!=",
        [TokenKind.Question] = "?",
        [TokenKind.OpenBrace] = "{",
        [TokenKind.CloseBrace] = "}",
        [TokenKind.Cross] = "x4",
        [TokenKind.NetworkKeyword] = "network",
        [TokenKind.BlockKeyword] = "block",
        [TokenKind.InputKeyword] = "input",
        [TokenKind.LetKeyword] = "let",
        [TokenKind.ResidualKeyword] = "residual",
        [TokenKind.ShortcutKeyword] = "shortcut",
        [TokenKind.ThenKeyword] = "then",
        [TokenKind.DenseKeyword] = "dense",
        [TokenKind.ConcatKeyword] = "concat",
        [TokenKind.SeqKeyword] = "seq",
        [TokenKind.WhenKeyword] = "when",
        [TokenKind.AsKeyword] = "as",
        [TokenKind.AndKeyword] = "and",
        [TokenKind.OrKeyword] = "or",
        [TokenKind.NotKeyword] = "not",
        [TokenKind.TrueKeyword] = "true",
        [TokenKind.FalseKeyword] = "false",
        [TokenKind.InKeyword] = "in",
        [TokenKind.NamespaceKeyword] = "namespace",
        [TokenKind.VariantKeyword] = "variant",
        [TokenKind.GateKeyword] = "gate",
        [TokenKind.AuxKeyword] = "aux",
        [TokenKind.FromKeyword] = "from",
        [TokenKind.SplitKeyword] = "split",
    };

    [Fact]
    public void Every_token_kind_has_a_sample_that_produces_it()
    {
        foreach (var kind in Enum.GetValues<TokenKind>())
        {
            Assert.True(Samples.TryGetValue(kind, out var sample), $"no sample for {kind}");
            if (kind != TokenKind.BadToken)
            {
                Assert.Contains(kind, Kinds(sample));
            }
        }
    }

    [Fact]
    public void A_bad_character_is_reported_at_its_position_and_skipped()
    {
        var diagnostics = new DiagnosticBag();
        var tokens = Lex("conv $ 3", diagnostics);
        Assert.Equal(new[] { TokenKind.Identifier, TokenKind.Integer, TokenKind.NewLine, TokenKind.EndOfFile }, tokens.Select(t => t.Kind));
        var error = Assert.Single(diagnostics.Items);
        Assert.Equal("NG0001", error.Descriptor.Id);
        Assert.Equal(5, error.Span.Start);
        Assert.Equal(1, error.Span.Length);
    }

    [Fact]
    public void Sizes_lex_as_numbers_joined_by_crosses()
    {
        Assert.Equal(
            new[] { TokenKind.InputKeyword, TokenKind.Integer, TokenKind.Cross, TokenKind.Integer, TokenKind.Cross, TokenKind.Integer, TokenKind.NewLine, TokenKind.EndOfFile },
            Kinds("input 3x224x224"));
    }

    [Fact]
    public void A_repeat_after_a_call_lexes_as_cross_and_count()
    {
        Assert.Equal(
            new[] { TokenKind.Identifier, TokenKind.OpenParen, TokenKind.Integer, TokenKind.CloseParen, TokenKind.Cross, TokenKind.Integer },
            Kinds("Block(64) x3").Take(6));
    }

    [Theory]
    [InlineData("1e-5", TokenKind.Float, "1e-5")]
    [InlineData("0.001", TokenKind.Float, "0.001")]
    [InlineData("1_000", TokenKind.Integer, "1000")]
    [InlineData("42", TokenKind.Integer, "42")]
    public void Numbers_keep_their_kind_and_value(string text, TokenKind kind, string value)
    {
        var token = Lex(text)[0];
        Assert.Equal(kind, token.Kind);
        Assert.Equal(value, token.Text);
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("3a")]
    [InlineData("1e999")]
    public void Malformed_numbers_are_reported_whole(string text)
    {
        var diagnostics = new DiagnosticBag();
        Lex(text, diagnostics);
        var error = Assert.Single(diagnostics.Items);
        Assert.Equal("NG0004", error.Descriptor.Id);
        Assert.Equal(text.Length, error.Span.Length);
    }

    [Fact]
    public void Indentation_opens_and_closes_blocks_and_blank_or_comment_lines_are_ignored()
    {
        var kinds = Kinds("a\n  b\n\n  # note\n    c\nd\n");
        Assert.Equal(
            new[]
            {
                TokenKind.Identifier, TokenKind.NewLine, TokenKind.Indent, TokenKind.Identifier, TokenKind.NewLine,
                TokenKind.Indent, TokenKind.Identifier, TokenKind.NewLine, TokenKind.Dedent, TokenKind.Dedent,
                TokenKind.Identifier, TokenKind.NewLine, TokenKind.EndOfFile,
            },
            kinds);
    }

    [Fact]
    public void Lines_inside_parentheses_join()
    {
        var kinds = Kinds("conv(64,\n      k=3)\n");
        Assert.DoesNotContain(TokenKind.Indent, kinds);
        Assert.Single(kinds, TokenKind.NewLine);
    }

    [Fact]
    public void Tabs_in_indentation_are_reported()
    {
        var diagnostics = new DiagnosticBag();
        Lex("a\n\tb\n", diagnostics);
        Assert.Equal("NG0003", Assert.Single(diagnostics.Items).Descriptor.Id);
    }

    [Fact]
    public void Windows_line_endings_lex_like_unix_ones()
    {
        Assert.Equal(Kinds("a\n  b\n"), Kinds("a\r\n  b\r\n"));
    }
}
