using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;

namespace NetGen.Generator.Syntax;

/// <summary>
/// Turns text into tokens. Indentation becomes <see cref="TokenKind.Indent"/> and
/// <see cref="TokenKind.Dedent"/> tokens as in Python; inside parentheses lines join.
/// Blank and comment-only lines are skipped. A bad character is reported and skipped.
/// </summary>
public sealed class Lexer
{
    private readonly string _text;
    /// <summary>The longest name: names become C# identifiers and file names, which have limits of their own.</summary>
    public const int MaxIdentifierLength = 200;

    private readonly DiagnosticBag _diagnostics;
    private readonly List<Token> _tokens = new();
    private readonly Stack<int> _indents = new();
    private int _position;
    private int _nesting;

    /// <summary>The indentation of the line being read, and of the line whose '(' or '{' is still open.</summary>
    private int _lineIndent;
    private int _openerIndent;

    private Lexer(string text, DiagnosticBag diagnostics)
    {
        _text = text;
        _diagnostics = diagnostics;
        _indents.Push(0);
    }

    public static IReadOnlyList<Token> Lex(string text, DiagnosticBag diagnostics)
    {
        var lexer = new Lexer(text, diagnostics);
        lexer.Run();
        return lexer._tokens;
    }

    private char Current => _position < _text.Length ? _text[_position] : '\0';

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void Run()
    {
        var atLineStart = true;
        while (_position < _text.Length)
        {
            if (atLineStart && _nesting == 0)
            {
                atLineStart = false;
                if (!ReadIndentation())
                {
                    SkipRestOfLine();
                    atLineStart = true;
                    continue;
                }
            }

            var c = Current;
            if (c == '\r' || c == '\n')
            {
                var start = _position;
                _position += c == '\r' && Peek(1) == '\n' ? 2 : 1;

                // A continuation line is indented deeper than the line that opened the '(': a line that starts
                // a statement no deeper ends an unclosed '(', which must not swallow the statements below it
                // (the normal state of a file being typed).
                if (_nesting > 0 && StartsStatementAtMost(_openerIndent))
                {
                    _nesting = 0;
                }

                if (_nesting == 0)
                {
                    Add(TokenKind.NewLine, start, _position - start);
                    atLineStart = true;
                }

                continue;
            }

            if (c == ' ' || c == '\t')
            {
                _position++;
                continue;
            }

            if (c == '#')
            {
                SkipComment();
                continue;
            }

            ReadToken();
        }

        if (_tokens.Count > 0 && _tokens[_tokens.Count - 1].Kind is not (TokenKind.NewLine or TokenKind.Dedent))
        {
            Add(TokenKind.NewLine, _text.Length, 0);
        }

        while (_indents.Count > 1)
        {
            _indents.Pop();
            Add(TokenKind.Dedent, _text.Length, 0);
        }

        Add(TokenKind.EndOfFile, _text.Length, 0);
    }

    /// <summary>Reads leading whitespace; returns false for a blank or comment-only line.</summary>
    private bool ReadIndentation()
    {
        var start = _position;
        var column = 0;
        var tab = false;
        while (Current == ' ' || Current == '\t')
        {
            if (Current == '\t')
            {
                _diagnostics.TabIndentation(new TextSpan(_position, 1));
                tab = true;
            }

            column++;
            _position++;
        }

        if (_position >= _text.Length || Current is '\r' or '\n' or '#')
        {
            return false;
        }

        if (tab && column < _indents.Peek())
        {
            // A tab has no width we could know: read the line at the current level rather than report
            // the dedent it seems to make, and the statements that would then be out of place.
            column = _indents.Peek();
        }

        _lineIndent = column;

        var span = new TextSpan(start, _position - start);
        if (column > _indents.Peek())
        {
            _indents.Push(column);
            Add(TokenKind.Indent, start, _position - start);
        }
        else
        {
            while (column < _indents.Peek())
            {
                _indents.Pop();
                Add(TokenKind.Dedent, _position, 0);
            }

            if (column != _indents.Peek())
            {
                _diagnostics.InconsistentDedent(span, column);
            }
        }

        return true;
    }

    /// <summary>Whether the line at the position starts with a name, indented by at most <paramref name="indent"/>.</summary>
    private bool StartsStatementAtMost(int indent)
    {
        var column = 0;
        while (Peek(column) is ' ' or '\t')
        {
            if (++column > indent)
            {
                return false;
            }
        }

        return IsIdentifierStart(Peek(column));
    }

    private void SkipRestOfLine()
    {
        while (_position < _text.Length && Current is not ('\r' or '\n'))
        {
            _position++;
        }

        if (Current == '\r')
        {
            _position++;
        }

        if (Current == '\n')
        {
            _position++;
        }
    }

    private void SkipComment()
    {
        while (_position < _text.Length && Current is not ('\r' or '\n'))
        {
            _position++;
        }
    }

    private void ReadToken()
    {
        var start = _position;
        var c = Current;
        if (c == 'x' && IsDigit(Peek(1)))
        {
            _position++;
            Add(TokenKind.Cross, start, 1);
            return;
        }

        if (IsIdentifierStart(c))
        {
            while (IsIdentifierPart(Current))
            {
                _position++;
            }

            var text = _text.Substring(start, _position - start);
            var span = new TextSpan(start, text.Length);
            if (text.Length > MaxIdentifierLength)
            {
                // Reported once; the name goes on cut short, so every use agrees and nothing else complains.
                _diagnostics.NameTooLong(span, text, MaxIdentifierLength);
                text = text.Substring(0, MaxIdentifierLength);
            }

            _tokens.Add(new Token(SyntaxFacts.KeywordKind(text), span, text));
            return;
        }

        if (IsDigit(c))
        {
            ReadNumber();
            return;
        }

        var (kind, length) = c switch
        {
            '(' => (TokenKind.OpenParen, 1),
            ')' => (TokenKind.CloseParen, 1),
            '{' => (TokenKind.OpenBrace, 1),
            '}' => (TokenKind.CloseBrace, 1),
            ',' => (TokenKind.Comma, 1),
            ':' => (TokenKind.Colon, 1),
            '.' => (TokenKind.Dot, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '%' => (TokenKind.Percent, 1),
            '?' => (TokenKind.Question, 1),
            '*' => Peek(1) == '*' ? (TokenKind.StarStar, 2) : (TokenKind.Star, 1),
            '/' => Peek(1) == '/' ? (TokenKind.SlashSlash, 2) : (TokenKind.Slash, 1),
            '<' => Peek(1) == '=' ? (TokenKind.LessEquals, 2) : (TokenKind.Less, 1),
            '>' => Peek(1) == '=' ? (TokenKind.GreaterEquals, 2) : (TokenKind.Greater, 1),
            '=' => Peek(1) == '=' ? (TokenKind.EqualsEquals, 2) : (TokenKind.Equals, 1),
            '!' when Peek(1) == '=' => (TokenKind.BangEquals, 2),
            _ => (TokenKind.BadToken, 1),
        };

        if (kind == TokenKind.BadToken)
        {
            // Keep surrogate pairs together so the span covers one visible character.
            if (char.IsHighSurrogate(c) && char.IsLowSurrogate(Peek(1)))
            {
                length = 2;
            }

            _diagnostics.BadCharacter(new TextSpan(start, length), c);
            _position += length;
            return;
        }

        if (kind is TokenKind.OpenParen or TokenKind.OpenBrace)
        {
            if (_nesting++ == 0)
            {
                _openerIndent = _lineIndent;
            }
        }
        else if (kind is TokenKind.CloseParen or TokenKind.CloseBrace && _nesting > 0)
        {
            _nesting--;
        }

        _position += length;
        Add(kind, start, length);
    }

    private void ReadNumber()
    {
        var start = _position;
        var isFloat = false;
        while (IsDigit(Current) || Current == '_')
        {
            _position++;
        }

        if (Current == '.' && IsDigit(Peek(1)))
        {
            isFloat = true;
            _position++;
            while (IsDigit(Current))
            {
                _position++;
            }
        }

        if ((Current == 'e' || Current == 'E') && (IsDigit(Peek(1)) || ((Peek(1) == '-' || Peek(1) == '+') && IsDigit(Peek(2)))))
        {
            isFloat = true;
            _position += 2;
            while (IsDigit(Current))
            {
                _position++;
            }
        }

        // A number runs into letters only by mistake ("3a"); report it whole. 'x' starts a size or repeat.
        while (IsIdentifierPart(Current) && !(Current == 'x' && IsDigit(Peek(1))))
        {
            _position++;
        }

        var text = _text.Substring(start, _position - start);
        var span = new TextSpan(start, text.Length);
        var clean = text.Replace("_", string.Empty);
        var valid = isFloat
            ? double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d)
            : long.TryParse(clean, NumberStyles.None, CultureInfo.InvariantCulture, out _);
        if (!valid || text.EndsWith("_", System.StringComparison.Ordinal))
        {
            _diagnostics.BadNumber(span, text);

            // An empty text evaluates to an error value, so nothing downstream reports it again.
            _tokens.Add(new Token(TokenKind.Integer, span, string.Empty));
            return;
        }

        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, span, clean));
    }

    private void Add(TokenKind kind, int start, int length) =>
        _tokens.Add(new Token(kind, new TextSpan(start, length), _text.Substring(start, length)));

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c);
}
