using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Syntax;

// The syntax tree: what the file says, with spans, before any meaning is given to it.
// It lives only inside one run of the front end and is never cached by the pipeline.

public sealed record FileSyntax(QualifiedNameSyntax? Namespace, ImmutableArray<DefinitionSyntax> Definitions)
{
    /// <summary>Every token of the file, comments and blank lines excluded; <see cref="TokenRange"/>s index it.</summary>
    public IReadOnlyList<Token> Tokens { get; init; } = Array.Empty<Token>();
}

/// <summary>The tokens [Start, End) of <see cref="FileSyntax.Tokens"/> that a definition or variant was parsed from.</summary>
public readonly record struct TokenRange(int Start, int End);

public sealed record QualifiedNameSyntax(TextSpan Span, string Text);

public abstract record DefinitionSyntax(Token Name, ImmutableArray<ParameterSyntax> Parameters, BodySyntax Body)
{
    /// <summary>The tokens the definition was parsed from (a network's include its variant lines).</summary>
    public TokenRange Tokens { get; init; }
}

/// <summary><c>network Name(params)</c> with its <c>input</c> line, statements and variants.</summary>
public sealed record NetworkSyntax(
    Token Name,
    ImmutableArray<ParameterSyntax> Parameters,
    InputSyntax? Input,
    BodySyntax Body,
    ImmutableArray<VariantSyntax> Variants,
    string Doc) : DefinitionSyntax(Name, Parameters, Body)
{
    /// <summary>The <c>taps</c> line's feature maps, in order (empty without one).</summary>
    public ImmutableArray<TapSyntax> Taps { get; init; } = ImmutableArray<TapSyntax>.Empty;
}

/// <summary>
/// One entry of <c>taps c2 = layer1, c3 = features.3</c>: a name and the dotted path of the module whose output
/// it is, a template whose holes (<c>features.{last}</c>) the network's parameters and lets fill.
/// </summary>
public sealed record TapSyntax(Token Name, NameTemplateSyntax Path);

/// <summary><c>block Name(params)</c>: a reusable, parameterized piece of network.</summary>
public sealed record BlockSyntax(Token Name, ImmutableArray<ParameterSyntax> Parameters, BodySyntax Body)
    : DefinitionSyntax(Name, Parameters, Body);

/// <summary><c>name = default</c> or <c>name: type = default</c>.</summary>
public sealed record ParameterSyntax(Token Name, Token? Type, ExpressionSyntax? Default);

/// <summary><c>input 3x224x224</c>.</summary>
public sealed record InputSyntax(TextSpan Span, ImmutableArray<ExpressionSyntax> Dimensions);

/// <summary><c>variant Name(arg = value, …)</c>: another class from the same network with other defaults.</summary>
public sealed record VariantSyntax(Token Name, ImmutableArray<ArgumentSyntax> Arguments)
{
    public TokenRange Tokens { get; init; }
}

public sealed record BodySyntax(ImmutableArray<StatementSyntax> Statements);

public abstract record StatementSyntax(TextSpan Span);

/// <summary><c>let name = expression</c>.</summary>
public sealed record LetStatementSyntax(TextSpan Span, Token Name, ExpressionSyntax Value) : StatementSyntax(Span);

/// <summary>
/// <c>[name:] item [x count [as prefix{index}]] [when condition]</c>, or <c>*item …</c> to splice the
/// modules the item makes into the enclosing sequence instead of nesting them.
/// </summary>
public sealed record ItemStatementSyntax(TextSpan Span, Token? Name, ItemSyntax Item, RepeatSyntax? Repeat, ExpressionSyntax? When, bool Spread)
    : StatementSyntax(Span);

/// <summary><c>x count</c>, optionally naming the copies <c>as name-template</c> (<c>denselayer{i + 1}</c>, <c>block{s}-{i}</c>, <c>unit{i + 1:02}</c>).</summary>
public sealed record RepeatSyntax(TextSpan Span, ExpressionSyntax Count, NameTemplateSyntax? Name);

/// <summary>A module name written with its parts adjacent: text (letters, digits, '_', '-') and <c>{int expression[:width]}</c> holes.</summary>
public sealed record NameTemplateSyntax(TextSpan Span, ImmutableArray<NamePartSyntax> Parts);

/// <summary>Literal text, or a hole <c>{index}</c> / <c>{index:02}</c> (zero-padded to the width's digits).</summary>
public sealed record NamePartSyntax(TextSpan Span, string? Text, ExpressionSyntax? Index, Token? Width);

public abstract record ItemSyntax(TextSpan Span);

/// <summary>A layer or block call: <c>relu</c>, <c>conv(64, k=3)</c>, <c>Bottleneck(128, stride=2)</c>.</summary>
public sealed record CallItemSyntax(TextSpan Span, Token Callee, ImmutableArray<ArgumentSyntax> Arguments) : ItemSyntax(Span);

/// <summary>A sequential group: <c>name:</c> or <c>seq</c> followed by an indented body.</summary>
public sealed record GroupItemSyntax(TextSpan Span, BodySyntax Body) : ItemSyntax(Span);

/// <summary><c>residual [then layer]</c>: body plus shortcut, optionally followed by a parameterless layer (an activation).</summary>
public sealed record ResidualItemSyntax(TextSpan Span, CallItemSyntax? Then, BodySyntax Body, ShortcutSyntax? Shortcut) : ItemSyntax(Span);

/// <summary>
/// <c>shortcut name [from layer] [when condition]</c> with a body, or <c>shortcut name [from layer]: item [when condition]</c>.
/// <c>from</c> feeds the shortcut the output of a named body layer instead of the block's input.
/// </summary>
public sealed record ShortcutSyntax(TextSpan Span, Token Name, Token? From, ItemSyntax Item, ExpressionSyntax? When);

/// <summary><c>dense</c>: output = concat(input, body(input)).</summary>
public sealed record DenseItemSyntax(TextSpan Span, BodySyntax Body) : ItemSyntax(Span);

/// <summary><c>gate</c>: output = input * body(input), e.g. squeeze-and-excitation.</summary>
public sealed record GateItemSyntax(TextSpan Span, BodySyntax Body) : ItemSyntax(Span);

/// <summary><c>aux item</c>: an auxiliary head on the current features; the main path goes on unchanged.</summary>
public sealed record AuxItemSyntax(TextSpan Span, CallItemSyntax Head) : ItemSyntax(Span);

/// <summary>
/// <c>concat [then layer]</c>: every statement is a branch on the same input; outputs joined along channels.
/// <c>split [then layer]</c> (<paramref name="Split"/>): branch k reads the k-th of equal chunks of the input's channels.
/// </summary>
public sealed record ConcatItemSyntax(TextSpan Span, BodySyntax Body, bool Split = false, CallItemSyntax? Then = null) : ItemSyntax(Span);

/// <summary><c>value</c> or <c>name = value</c>.</summary>
public sealed record ArgumentSyntax(TextSpan Span, Token? Name, ExpressionSyntax Value);

public abstract record ExpressionSyntax(TextSpan Span);

public sealed record LiteralExpressionSyntax(TextSpan Span, Token Token) : ExpressionSyntax(Span);

public sealed record NameExpressionSyntax(TextSpan Span, Token Name) : ExpressionSyntax(Span);

/// <summary><c>in.channels</c>, <c>in.height</c>, <c>in.width</c>: the shape entering the block.</summary>
public sealed record InShapeExpressionSyntax(TextSpan Span, Token Member) : ExpressionSyntax(Span);

public sealed record UnaryExpressionSyntax(TextSpan Span, Token Operator, ExpressionSyntax Operand) : ExpressionSyntax(Span);

public sealed record BinaryExpressionSyntax(TextSpan Span, ExpressionSyntax Left, Token Operator, ExpressionSyntax Right) : ExpressionSyntax(Span);

public sealed record ConditionalExpressionSyntax(TextSpan Span, ExpressionSyntax Condition, ExpressionSyntax WhenTrue, ExpressionSyntax WhenFalse)
    : ExpressionSyntax(Span);

public sealed record CallExpressionSyntax(TextSpan Span, Token Function, ImmutableArray<ExpressionSyntax> Arguments) : ExpressionSyntax(Span);

/// <summary><c>(1, 7)</c>: a pair, for rectangular kernels, strides and paddings.</summary>
public sealed record TupleExpressionSyntax(TextSpan Span, ImmutableArray<ExpressionSyntax> Items) : ExpressionSyntax(Span);
