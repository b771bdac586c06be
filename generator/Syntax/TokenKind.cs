namespace NetGen.Generator.Syntax;

/// <summary>Every kind of token the lexer produces.</summary>
public enum TokenKind
{
    EndOfFile,
    BadToken,
    NewLine,
    Indent,
    Dedent,
    Identifier,
    Integer,
    Float,

    // Punctuation and operators.
    OpenParen,
    CloseParen,
    Comma,
    Colon,
    Dot,
    Equals,
    Plus,
    Minus,
    Star,
    StarStar,
    Slash,
    SlashSlash,
    Percent,
    Less,
    LessEquals,
    Greater,
    GreaterEquals,
    EqualsEquals,
    BangEquals,
    Question,
    OpenBrace,
    CloseBrace,

    /// <summary>The multiplication sign of sizes and repeats: the <c>x</c> in <c>3x224x224</c> and <c>x4</c>.</summary>
    Cross,

    // Keywords.
    NetworkKeyword,
    BlockKeyword,
    InputKeyword,
    LetKeyword,
    ResidualKeyword,
    ShortcutKeyword,
    ThenKeyword,
    DenseKeyword,
    ConcatKeyword,
    SeqKeyword,
    WhenKeyword,
    AsKeyword,
    AndKeyword,
    OrKeyword,
    NotKeyword,
    TrueKeyword,
    FalseKeyword,
    InKeyword,
    NamespaceKeyword,
    VariantKeyword,
}
