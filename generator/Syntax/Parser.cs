using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;

namespace NetGen.Generator.Syntax;

/// <summary>
/// Recursive-descent parser. It never stops at the first error: a missing token is synthesized
/// (zero-width) and reported, a line that cannot be parsed is skipped to its end, and every loop
/// skips a token that nothing consumed, so the parser always terminates.
/// </summary>
public sealed class Parser
{
    /// <summary>Deeper expressions are reported rather than risking the stack.</summary>
    public const int MaxExpressionDepth = 100;

    private readonly IReadOnlyList<Token> _tokens;
    private readonly DiagnosticBag _diagnostics;
    private readonly string _text;
    private int _position;
    private int _depth;
    private bool _depthReported;

    private Parser(string text, IReadOnlyList<Token> tokens, DiagnosticBag diagnostics)
    {
        _text = text;
        _tokens = tokens;
        _diagnostics = diagnostics;
    }

    public static FileSyntax Parse(string text, DiagnosticBag diagnostics)
    {
        var tokens = Lexer.Lex(text, diagnostics);
        return new Parser(text, tokens, diagnostics).ParseFile();
    }

    /// <summary>Parses one expression (for tools and tests); reports anything left over.</summary>
    public static ExpressionSyntax ParseExpression(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(text, Lexer.Lex(text, diagnostics), diagnostics);
        var expression = parser.ParseExpression();
        while (parser.At(TokenKind.NewLine))
        {
            parser.Next();
        }

        if (!parser.At(TokenKind.EndOfFile))
        {
            parser.ReportUnexpected("the end of the expression");
        }

        return expression;
    }

    private Token Current => Peek(0);

    /// <summary>An identifier or a keyword: anything spelled like a name.</summary>
    private static bool IsWord(Token token) =>
        token.Kind == TokenKind.Identifier || (token.Text.Length > 0 && SyntaxFacts.KeywordKind(token.Text) == token.Kind && token.Kind != TokenKind.Identifier && char.IsLetter(token.Text[0]));

    private Token Peek(int offset) => _tokens[System.Math.Min(_position + offset, _tokens.Count - 1)];

    private Token Next()
    {
        var token = Current;
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }

        return token;
    }

    private bool At(TokenKind kind) => Current.Kind == kind;

    private bool AtCross => Current.Kind == TokenKind.Cross || (Current.Kind == TokenKind.Identifier && Current.Text == "x");

    private Token Match(TokenKind kind, string? expected = null)
    {
        if (At(kind))
        {
            return Next();
        }

        ReportUnexpected(expected ?? SyntaxFacts.Describe(kind));
        return new Token(kind, new TextSpan(Current.Span.Start, 0), string.Empty);
    }

    private void ReportUnexpected(string expected)
    {
        // One error per position is enough; recovery often asks twice at the same place.
        if (_lastErrorPosition == Current.Span.Start && _diagnostics.Count > 0)
        {
            return;
        }

        _lastErrorPosition = Current.Span.Start;
        _diagnostics.UnexpectedToken(Current.Span, Found(Current), expected);
    }

    private int _lastErrorPosition = -1;

    private static string Found(Token token) => token.Kind switch
    {
        TokenKind.Identifier or TokenKind.Integer or TokenKind.Float => $"'{token.Text}'",
        _ => SyntaxFacts.Describe(token.Kind),
    };

    /// <summary>Skips to the end of the current line, and over any indented block that hangs from it.</summary>
    private void SkipLine()
    {
        while (!At(TokenKind.NewLine) && !At(TokenKind.EndOfFile) && !At(TokenKind.Dedent))
        {
            if (At(TokenKind.Indent))
            {
                SkipIndentedBlock();
                continue;
            }

            Next();
        }

        if (At(TokenKind.NewLine))
        {
            Next();
        }

        if (At(TokenKind.Indent))
        {
            SkipIndentedBlock();
        }
    }

    private void SkipIndentedBlock()
    {
        var level = 0;
        do
        {
            if (At(TokenKind.Indent))
            {
                level++;
            }
            else if (At(TokenKind.Dedent))
            {
                level--;
            }
            else if (At(TokenKind.EndOfFile))
            {
                return;
            }

            Next();
        }
        while (level > 0);
    }

    private void EndOfLine()
    {
        if (At(TokenKind.NewLine))
        {
            Next();
            return;
        }

        if (At(TokenKind.EndOfFile) || At(TokenKind.Dedent))
        {
            return;
        }

        ReportUnexpected("end of line");
        SkipRestOfLine();
    }

    /// <summary>Skips to the next line, but not over an indented body below: it still belongs to the statement.</summary>
    private void SkipRestOfLine()
    {
        while (!At(TokenKind.NewLine) && !At(TokenKind.EndOfFile) && !At(TokenKind.Dedent))
        {
            Next();
        }

        if (At(TokenKind.NewLine))
        {
            Next();
        }
    }

    /// <summary>The end of a header line whose indented body follows; a 'then' written after 'when' gets its own message.</summary>
    private void EndOfHeader(bool afterWhen)
    {
        if (afterWhen && At(TokenKind.ThenKeyword))
        {
            _diagnostics.UnexpectedToken(Current.Span, "'then' after 'when'", "'then' right after the connection, 'when' last (e.g. 'split then channel_shuffle(2) when stride == 1')");
            SkipRestOfLine();
            return;
        }

        EndOfLine();
    }

    // File level ---------------------------------------------------------------------------

    private FileSyntax ParseFile()
    {
        QualifiedNameSyntax? ns = null;
        var definitions = ImmutableArray.CreateBuilder<DefinitionSyntax>();
        while (!At(TokenKind.EndOfFile))
        {
            var start = _position;
            switch (Current.Kind)
            {
                case TokenKind.NamespaceKeyword:
                    var keyword = Next();
                    var name = ParseQualifiedName();
                    if (ns is null)
                    {
                        ns = name;
                    }
                    else
                    {
                        _diagnostics.DuplicateName(keyword.Span, "namespace declaration", name.Text, LineOf(ns.Span.Start));
                    }

                    EndOfLine();
                    break;
                case TokenKind.NetworkKeyword:
                    definitions.Add(ParseNetwork(DocComment(Current.Span.Start)) with { Tokens = new TokenRange(start, _position) });
                    break;
                case TokenKind.BlockKeyword:
                    definitions.Add(ParseBlock() with { Tokens = new TokenRange(start, _position) });
                    break;
                case TokenKind.NewLine:
                    Next();
                    break;
                default:
                    ReportUnexpected("'network', 'block' or 'namespace'");
                    SkipLine();
                    break;
            }

            if (_position == start)
            {
                Next();
            }

        }

        return new FileSyntax(ns, definitions.ToImmutable()) { Tokens = _tokens };
    }

    private QualifiedNameSyntax ParseQualifiedName()
    {
        var first = Match(TokenKind.Identifier, "a namespace name");
        var end = first.Span.End;
        var text = first.Text;
        while (At(TokenKind.Dot))
        {
            Next();
            var part = Match(TokenKind.Identifier, "a namespace name");
            text += "." + part.Text;
            end = part.Span.End;
        }

        return new QualifiedNameSyntax(TextSpan.FromBounds(first.Span.Start, end), text);
    }

    /// <summary>The '#' comment lines that stand directly above a network become its documentation.</summary>
    private string DocComment(int networkStart)
    {
        var lines = new List<string>();
        var end = _text.LastIndexOf('\n', System.Math.Max(networkStart - 1, 0));
        while (end > 0)
        {
            var start = _text.LastIndexOf('\n', end - 1) + 1;
            var line = _text.Substring(start, end - start).Trim();
            if (!line.StartsWith("#", System.StringComparison.Ordinal))
            {
                break;
            }

            lines.Add(line.Substring(1).Trim());
            end = start - 1;
        }

        // Collected bottom-up; inserting at the front instead would be quadratic in the comment's length.
        lines.Reverse();
        return string.Join("\n", lines);
    }

    private int LineOf(int position)
    {
        var line = 1;
        for (var i = 0; i < position && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private NetworkSyntax ParseNetwork(string doc)
    {
        Match(TokenKind.NetworkKeyword);
        var name = Match(TokenKind.Identifier, "the network's name");
        var parameters = ParseParameterList();
        EndOfLine();

        InputSyntax? input = null;
        var taps = ImmutableArray.CreateBuilder<TapSyntax>();
        Token? tapsLine = null;
        var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
        var variants = ImmutableArray.CreateBuilder<VariantSyntax>();
        if (At(TokenKind.Indent))
        {
            Next();
            while (!At(TokenKind.Dedent) && !At(TokenKind.EndOfFile))
            {
                var start = _position;
                if (At(TokenKind.InputKeyword))
                {
                    var parsed = ParseInput();
                    if (input is null)
                    {
                        input = parsed;
                    }
                    else
                    {
                        _diagnostics.DuplicateName(parsed.Span, "input line of", name.Text, LineOf(input.Span.Start));
                    }
                }
                else if (At(TokenKind.VariantKeyword))
                {
                    variants.Add(ParseVariant() with { Tokens = new TokenRange(start, _position) });
                }
                else if (AtTaps)
                {
                    var keyword = Current;
                    var parsed = ParseTaps();
                    if (tapsLine is { } first)
                    {
                        _diagnostics.DuplicateName(keyword.Span, "taps line of", name.Text, LineOf(first.Span.Start));
                    }
                    else
                    {
                        tapsLine = keyword;
                        taps.AddRange(parsed);
                    }
                }
                else
                {
                    ParseStatementInto(statements);
                }

                if (_position == start)
                {
                    Next();
                }
            }

            Match(TokenKind.Dedent);
        }
        else
        {
            ReportUnexpected("the network's indented body");
        }

        return new NetworkSyntax(name, parameters, input, new BodySyntax(statements.ToImmutable()), variants.ToImmutable(), doc) { Taps = taps.ToImmutable() };
    }

    private BlockSyntax ParseBlock()
    {
        Match(TokenKind.BlockKeyword);
        var name = Match(TokenKind.Identifier, "the block's name");
        var parameters = ParseParameterList();
        EndOfLine();
        return new BlockSyntax(name, parameters, ParseIndentedBody("the block's indented body"));
    }

    private ImmutableArray<ParameterSyntax> ParseParameterList()
    {
        var parameters = ImmutableArray.CreateBuilder<ParameterSyntax>();
        if (!At(TokenKind.OpenParen))
        {
            return parameters.ToImmutable();
        }

        Next();
        while (!At(TokenKind.CloseParen) && !At(TokenKind.EndOfFile) && !At(TokenKind.NewLine))
        {
            var start = _position;
            var name = Match(TokenKind.Identifier, "a parameter name");
            Token? type = null;
            if (At(TokenKind.Colon))
            {
                Next();
                type = Match(TokenKind.Identifier, "a type (int, float or bool)");
            }

            ExpressionSyntax? value = null;
            if (At(TokenKind.Equals))
            {
                Next();
                value = ParseExpression();
            }

            parameters.Add(new ParameterSyntax(name, type, value));
            if (!At(TokenKind.CloseParen) && !At(TokenKind.NewLine) && !At(TokenKind.EndOfFile))
            {
                Match(TokenKind.Comma);
            }

            if (_position == start)
            {
                Next();
            }
        }

        Match(TokenKind.CloseParen);
        return parameters.ToImmutable();
    }

    private InputSyntax ParseInput()
    {
        var keyword = Next();
        var dimensions = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        dimensions.Add(ParsePrimary());
        while (AtCross)
        {
            Next();
            dimensions.Add(ParsePrimary());
        }

        var span = TextSpan.FromBounds(keyword.Span.Start, dimensions[dimensions.Count - 1].Span.End);
        EndOfLine();
        return new InputSyntax(span, dimensions.ToImmutable());
    }

    /// <summary>
    /// <c>taps</c> is a word only at the start of a network's line followed by <c>name =</c>: a layer call cannot
    /// look like that, and modules and parameters stay free to be called 'taps'.
    /// </summary>
    private bool AtTaps =>
        Current.Kind == TokenKind.Identifier && Current.Text == "taps" && IsWord(Peek(1)) && Peek(2).Kind == TokenKind.Equals;

    /// <summary><c>taps c2 = layer1, c3 = features.3</c>.</summary>
    private ImmutableArray<TapSyntax> ParseTaps()
    {
        Next();
        var taps = ImmutableArray.CreateBuilder<TapSyntax>();
        do
        {
            if (taps.Count > 0)
            {
                Next();
            }

            var start = _position;
            var name = Match(TokenKind.Identifier, "a tap's name (e.g. c2)");
            Match(TokenKind.Equals);
            taps.Add(new TapSyntax(name, ParseNameTemplate(path: true)));
            if (_position == start)
            {
                break;
            }
        }
        while (At(TokenKind.Comma));

        EndOfLine();
        return taps.ToImmutable();
    }

    private VariantSyntax ParseVariant()
    {
        Next();
        var name = Match(TokenKind.Identifier, "the variant's class name");
        var arguments = At(TokenKind.OpenParen) ? ParseArgumentList() : ImmutableArray<ArgumentSyntax>.Empty;
        EndOfLine();
        return new VariantSyntax(name, arguments);
    }

    // Statements ---------------------------------------------------------------------------

    private BodySyntax ParseIndentedBody(string expected, bool endsAtShortcut = false)
    {
        var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
        if (!At(TokenKind.Indent))
        {
            ReportUnexpected(expected);
            return new BodySyntax(statements.ToImmutable());
        }

        Next();
        while (!At(TokenKind.Dedent) && !At(TokenKind.EndOfFile) && !(endsAtShortcut && At(TokenKind.ShortcutKeyword)))
        {
            var start = _position;
            ParseStatementInto(statements);
            if (_position == start)
            {
                Next();
            }
        }

        if (!(endsAtShortcut && At(TokenKind.ShortcutKeyword)))
        {
            Match(TokenKind.Dedent);
        }

        return new BodySyntax(statements.ToImmutable());
    }

    private void ParseStatementInto(ImmutableArray<StatementSyntax>.Builder statements)
    {
        switch (Current.Kind)
        {
            case TokenKind.NewLine:
                Next();
                return;
            case TokenKind.Indent:
                _diagnostics.UnexpectedIndent(Current.Span);
                SkipIndentedBlock();
                return;
            case TokenKind.LetKeyword:
                statements.Add(ParseLet());
                return;
            case TokenKind.ShortcutKeyword:
                ReportUnexpected("a layer ('shortcut' belongs at the end of a residual)");
                SkipLine();
                return;
            case TokenKind.InputKeyword:
            case TokenKind.VariantKeyword:
                ReportUnexpected("a layer ('input' and 'variant' belong directly in a network)");
                SkipLine();
                return;
        }

        var statement = ParseItemStatement();
        if (statement is not null)
        {
            statements.Add(statement);
        }
    }

    private LetStatementSyntax ParseLet()
    {
        var keyword = Next();
        var name = Match(TokenKind.Identifier, "a name");
        Match(TokenKind.Equals);
        var value = ParseExpression();
        EndOfLine();
        return new LetStatementSyntax(TextSpan.FromBounds(keyword.Span.Start, value.Span.End), name, value);
    }

    private ItemStatementSyntax? ParseItemStatement()
    {
        var start = Current.Span.Start;
        var spread = false;
        if (At(TokenKind.Star))
        {
            Next();
            spread = true;
        }

        Token? name = null;
        if (!spread && ModuleNameLength() is var length and > 0)
        {
            // Keywords may name modules ('block:', torchvision's EfficientNet key): before ':' they are names.
            // So may adjacent words, numbers and '-' (RegNet's 'block1-0').
            var first = Current;
            var last = first;
            for (var i = 0; i < length; i++)
            {
                last = Next();
            }

            var span = TextSpan.FromBounds(first.Span.Start, last.Span.End);
            name = new Token(TokenKind.Identifier, span, string.Concat(Enumerable.Range(0, length).Select(i => _tokens[_position - length + i].Text)));
            Next();
        }

        ItemSyntax item;
        var needsBody = true;
        var headerKind = Current.Kind;
        switch (headerKind)
        {
            case TokenKind.ResidualKeyword:
                item = ParseResidual(out needsBody);
                break;
            case TokenKind.ConcatKeyword:
            case TokenKind.SplitKeyword:
                var joinKeyword = Next();
                var join = ParseThen();
                item = new ConcatItemSyntax(TextSpan.FromBounds(joinKeyword.Span.Start, join?.Span.End ?? joinKeyword.Span.End), new BodySyntax(ImmutableArray<StatementSyntax>.Empty), headerKind == TokenKind.SplitKeyword, join);
                break;
            case TokenKind.DenseKeyword:
            case TokenKind.SeqKeyword:
            case TokenKind.GateKeyword:
                item = new GroupItemSyntax(Next().Span, new BodySyntax(ImmutableArray<StatementSyntax>.Empty));
                break;
            case TokenKind.AuxKeyword:
                var aux = Next();
                var head = ParseCall();
                item = new AuxItemSyntax(TextSpan.FromBounds(aux.Span.Start, head.Span.End), head);
                needsBody = false;
                break;
            case TokenKind.Identifier:
                item = ParseCall();
                needsBody = false;
                break;
            default:
                if (name is not null && (At(TokenKind.NewLine) || AtCross || At(TokenKind.WhenKeyword)))
                {
                    // "name:" on its own line opens a named group.
                    item = new GroupItemSyntax(name.Value.Span, new BodySyntax(ImmutableArray<StatementSyntax>.Empty));
                    break;
                }

                ReportUnexpected("a layer, a block call, 'residual', 'dense', 'concat', 'split', 'gate', 'seq', 'aux' or 'let'");
                SkipLine();
                return null;
        }

        var repeat = ParseRepeat();
        var when = ParseWhen();
        var end = when?.Span.End ?? repeat?.Span.End ?? item.Span.End;
        if (needsBody)
        {
            EndOfHeader(when is not null);
        }
        else
        {
            EndOfLine();
        }

        if (needsBody)
        {
            var body = ParseIndentedBody("an indented body", endsAtShortcut: headerKind == TokenKind.ResidualKeyword);
            item = headerKind switch
            {
                TokenKind.ResidualKeyword => ((ResidualItemSyntax)item) with { Body = body, Shortcut = ParseShortcutIfAny() },
                TokenKind.DenseKeyword => new DenseItemSyntax(item.Span, body),
                TokenKind.ConcatKeyword or TokenKind.SplitKeyword => ((ConcatItemSyntax)item) with { Body = body },
                TokenKind.GateKeyword => new GateItemSyntax(item.Span, body),
                _ => new GroupItemSyntax(item.Span, body),
            };
            if (item is ResidualItemSyntax { Shortcut: not null })
            {
                Match(TokenKind.Dedent);
            }
        }

        return new ItemStatementSyntax(TextSpan.FromBounds(start, end), name, item, repeat, when, spread);
    }

    private ResidualItemSyntax ParseResidual(out bool needsBody)
    {
        var keyword = Next();
        var then = ParseThen();
        needsBody = true;
        var end = then?.Span.End ?? keyword.Span.End;
        return new ResidualItemSyntax(TextSpan.FromBounds(keyword.Span.Start, end), then,
            new BodySyntax(ImmutableArray<StatementSyntax>.Empty), null);
    }

    /// <summary><c>then layer</c> after a connection's keyword: the layer applied to its result.</summary>
    private CallItemSyntax? ParseThen()
    {
        if (!At(TokenKind.ThenKeyword))
        {
            return null;
        }

        Next();
        return ParseCall();
    }

    /// <summary>
    /// The number of tokens of a module name before a ':' at the current position: a word, then adjacent
    /// '-', words and numbers (<c>block1-0</c>). Zero when no name and colon stand here.
    /// </summary>
    private int ModuleNameLength()
    {
        if (!IsWord(Current))
        {
            return 0;
        }

        var length = 1;
        while (Peek(length).Kind == TokenKind.Minus
               && Peek(length).Span.Start == Peek(length - 1).Span.End
               && Peek(length + 1).Span.Start == Peek(length).Span.End
               && (IsWord(Peek(length + 1)) || Peek(length + 1).Kind == TokenKind.Integer))
        {
            length += 2;
        }

        return Peek(length).Kind == TokenKind.Colon ? length : 0;
    }

    private ShortcutSyntax? ParseShortcutIfAny()
    {
        if (!At(TokenKind.ShortcutKeyword))
        {
            return null;
        }

        var keyword = Next();
        var name = Match(TokenKind.Identifier, "the shortcut's name (e.g. downsample)");
        Token? from = null;
        if (At(TokenKind.FromKeyword))
        {
            Next();
            from = Match(TokenKind.Identifier, "the name of a layer of the body");
        }

        ItemSyntax? inline = null;
        if (At(TokenKind.Colon))
        {
            Next();
            inline = ParseCall();
        }

        var when = ParseWhen();
        var span = TextSpan.FromBounds(keyword.Span.Start, when?.Span.End ?? inline?.Span.End ?? name.Span.End);
        EndOfLine();
        var item = inline ?? new GroupItemSyntax(name.Span, ParseIndentedBody("the shortcut's indented body"));
        return new ShortcutSyntax(span, name, from, item, when);
    }

    private CallItemSyntax ParseCall()
    {
        var callee = Match(TokenKind.Identifier, "a layer or block name");
        var arguments = At(TokenKind.OpenParen) ? ParseArgumentList() : ImmutableArray<ArgumentSyntax>.Empty;
        var end = _position > 0 ? _tokens[_position - 1].Span.End : callee.Span.End;
        return new CallItemSyntax(TextSpan.FromBounds(callee.Span.Start, System.Math.Max(end, callee.Span.End)), callee, arguments);
    }

    private ImmutableArray<ArgumentSyntax> ParseArgumentList()
    {
        var arguments = ImmutableArray.CreateBuilder<ArgumentSyntax>();
        Match(TokenKind.OpenParen);
        while (!At(TokenKind.CloseParen) && !At(TokenKind.EndOfFile) && !At(TokenKind.NewLine))
        {
            var start = _position;
            Token? name = null;
            if (At(TokenKind.Identifier) && Peek(1).Kind == TokenKind.Equals)
            {
                name = Next();
                Next();
            }

            var value = ParseExpression();
            arguments.Add(new ArgumentSyntax(TextSpan.FromBounds(name?.Span.Start ?? value.Span.Start, value.Span.End), name, value));
            if (!At(TokenKind.CloseParen) && !At(TokenKind.NewLine) && !At(TokenKind.EndOfFile))
            {
                Match(TokenKind.Comma);
            }

            if (_position == start)
            {
                Next();
            }
        }

        Match(TokenKind.CloseParen);
        return arguments.ToImmutable();
    }

    private RepeatSyntax? ParseRepeat()
    {
        if (!AtCross)
        {
            return null;
        }

        var cross = Next();
        var count = ParsePrimary();
        NameTemplateSyntax? name = null;
        if (At(TokenKind.AsKeyword))
        {
            Next();
            name = ParseNameTemplate();
        }

        return new RepeatSyntax(TextSpan.FromBounds(cross.Span.Start, name?.Span.End ?? count.Span.End), count, name);
    }

    /// <summary>
    /// A name template after 'as': adjacent text (words, numbers, '-') and holes <c>{expression[:width]}</c>,
    /// with no space between them (<c>denselayer{i + 1}</c>, <c>block{s}-{i}</c>). A <paramref name="path"/> (a tap's)
    /// takes '.' too (<c>features.3</c>, <c>features.{last}</c>; '.3' lexes as a number, read here as its text).
    /// </summary>
    private NameTemplateSyntax ParseNameTemplate(bool path = false)
    {
        var parts = ImmutableArray.CreateBuilder<NamePartSyntax>();
        var start = Current.Span.Start;
        var end = start;
        while (parts.Count == 0 || Current.Span.Start == end)
        {
            if (IsWord(Current) || Current.Kind is TokenKind.Integer or TokenKind.Minus || (path && Current.Kind is TokenKind.Dot or TokenKind.Float))
            {
                var text = Next();
                parts.Add(new NamePartSyntax(text.Span, text.Text, null, null));
                end = text.Span.End;
            }
            else if (At(TokenKind.OpenBrace))
            {
                var open = Next();
                var index = ParseExpression();
                Token? width = null;
                if (At(TokenKind.Colon))
                {
                    Next();
                    width = Match(TokenKind.Integer, "a width such as 02");
                }

                end = Match(TokenKind.CloseBrace).Span.End;
                parts.Add(new NamePartSyntax(TextSpan.FromBounds(open.Span.Start, end), null, index, width));
            }
            else
            {
                if (parts.Count == 0)
                {
                    var missing = Match(TokenKind.Identifier, path ? "a module's path (e.g. layer1 or features.3)" : "a name (e.g. denselayer{i + 1})");
                    parts.Add(new NamePartSyntax(missing.Span, missing.Text, null, null));
                    end = missing.Span.End;
                }

                break;
            }
        }

        return new NameTemplateSyntax(TextSpan.FromBounds(start, end), parts.ToImmutable());
    }

    private ExpressionSyntax? ParseWhen()
    {
        if (!At(TokenKind.WhenKeyword))
        {
            return null;
        }

        Next();
        return ParseExpression();
    }

    // Expressions --------------------------------------------------------------------------

    public ExpressionSyntax ParseExpression()
    {
        if (++_depth > MaxExpressionDepth)
        {
            var at = Current;
            ReportTooDeep();
            _depth--;
            return new LiteralExpressionSyntax(at.Span, new Token(TokenKind.Integer, at.Span, string.Empty));
        }

        var result = ParseConditional();
        _depth--;
        return result;
    }

    /// <summary>Reports an expression nested too deeply (once) and skips the rest of its line, so parsing stays fast.</summary>
    private void ReportTooDeep()
    {
        if (!_depthReported)
        {
            _depthReported = true;
            _diagnostics.NestingTooDeep(Current.Span, "expressions", MaxExpressionDepth);
        }

        while (!At(TokenKind.NewLine) && !At(TokenKind.EndOfFile))
        {
            Next();
        }
    }

    private ExpressionSyntax ParseConditional()
    {
        var condition = ParseBinary(0);
        if (!At(TokenKind.Question))
        {
            return condition;
        }

        Next();
        var whenTrue = ParseExpression();
        Match(TokenKind.Colon);
        var whenFalse = ParseExpression();
        return new ConditionalExpressionSyntax(TextSpan.FromBounds(condition.Span.Start, whenFalse.Span.End), condition, whenTrue, whenFalse);
    }

    private static int BinaryPrecedence(TokenKind kind) => kind switch
    {
        TokenKind.OrKeyword => 1,
        TokenKind.AndKeyword => 2,
        TokenKind.EqualsEquals or TokenKind.BangEquals or TokenKind.Less or TokenKind.LessEquals
            or TokenKind.Greater or TokenKind.GreaterEquals => 4,
        TokenKind.Plus or TokenKind.Minus => 5,
        TokenKind.Star or TokenKind.Slash or TokenKind.SlashSlash or TokenKind.Percent => 6,
        TokenKind.StarStar => 8,
        _ => 0,
    };

    private ExpressionSyntax ParseBinary(int parentPrecedence)
    {
        ExpressionSyntax left;
        var unary = Current.Kind switch
        {
            TokenKind.NotKeyword => 3,
            TokenKind.Minus or TokenKind.Plus => 7,
            _ => 0,
        };
        // Python allows a sign on the right of '**' (2 ** -1).
        if (unary > 0 && (unary >= parentPrecedence || parentPrecedence == BinaryPrecedence(TokenKind.StarStar)))
        {
            var op = Next();
            var operand = Nested(() => ParseBinary(unary));
            left = new UnaryExpressionSyntax(TextSpan.FromBounds(op.Span.Start, operand.Span.End), op, operand);
        }
        else
        {
            left = ParsePrimary();
        }

        var chain = 0;
        while (true)
        {
            var precedence = BinaryPrecedence(Current.Kind);
            // '**' is right-associative; everything else associates left.
            if (precedence == 0 || precedence < parentPrecedence || (precedence == parentPrecedence && Current.Kind != TokenKind.StarStar))
            {
                return left;
            }

            // A left-associative chain nests to the left: bound it like parentheses, or evaluation would overflow the stack.
            if (++chain + _depth > MaxExpressionDepth)
            {
                ReportTooDeep();
                return left;
            }

            var op = Next();
            var right = Nested(() => ParseBinary(precedence));
            left = new BinaryExpressionSyntax(TextSpan.FromBounds(left.Span.Start, right.Span.End), left, op, right);
        }
    }

    private ExpressionSyntax Nested(System.Func<ExpressionSyntax> parse)
    {
        if (_depth + 1 > MaxExpressionDepth)
        {
            return ParseExpression();
        }

        _depth++;
        var result = parse();
        _depth--;
        return result;
    }

    private ExpressionSyntax ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Integer:
            case TokenKind.Float:
            case TokenKind.TrueKeyword:
            case TokenKind.FalseKeyword:
                Next();
                return new LiteralExpressionSyntax(token.Span, token);
            case TokenKind.InKeyword:
                Next();
                Match(TokenKind.Dot);
                var member = Match(TokenKind.Identifier, "channels, height or width");
                return new InShapeExpressionSyntax(TextSpan.FromBounds(token.Span.Start, System.Math.Max(member.Span.End, token.Span.End)), member);
            case TokenKind.Identifier when Peek(1).Kind == TokenKind.OpenParen:
                return ParseFunctionCall();
            case TokenKind.Identifier:
                Next();
                return new NameExpressionSyntax(token.Span, token);
            case TokenKind.OpenParen:
                return ParseParenthesized();
            default:
                // A missing value evaluates to an error value, so nothing downstream reports it again.
                ReportUnexpected("a value");
                return new LiteralExpressionSyntax(new TextSpan(token.Span.Start, 0), new Token(TokenKind.Integer, new TextSpan(token.Span.Start, 0), string.Empty));
        }
    }

    private ExpressionSyntax ParseFunctionCall()
    {
        var name = Next();
        Next();
        var arguments = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        while (!At(TokenKind.CloseParen) && !At(TokenKind.EndOfFile) && !At(TokenKind.NewLine))
        {
            var start = _position;
            arguments.Add(ParseExpression());
            if (!At(TokenKind.CloseParen) && !At(TokenKind.NewLine) && !At(TokenKind.EndOfFile))
            {
                Match(TokenKind.Comma);
            }

            if (_position == start)
            {
                Next();
            }
        }

        var close = Match(TokenKind.CloseParen);
        return new CallExpressionSyntax(TextSpan.FromBounds(name.Span.Start, System.Math.Max(close.Span.End, name.Span.End)), name, arguments.ToImmutable());
    }

    private ExpressionSyntax ParseParenthesized()
    {
        var open = Next();
        var first = ParseExpression();
        if (!At(TokenKind.Comma))
        {
            var closing = Match(TokenKind.CloseParen);
            return first with { Span = TextSpan.FromBounds(open.Span.Start, System.Math.Max(closing.Span.End, first.Span.End)) };
        }

        var items = ImmutableArray.CreateBuilder<ExpressionSyntax>();
        items.Add(first);
        while (At(TokenKind.Comma))
        {
            Next();
            items.Add(ParseExpression());
        }

        var close = Match(TokenKind.CloseParen);
        return new TupleExpressionSyntax(TextSpan.FromBounds(open.Span.Start, System.Math.Max(close.Span.End, open.Span.End)), items.ToImmutable());
    }
}
