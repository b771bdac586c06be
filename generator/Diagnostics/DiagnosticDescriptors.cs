using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// Every rule NetGen reports, in one place. Messages are formatted by <see cref="DiagnosticBag"/>;
/// each descriptor's format is just the finished message. docs/diagnostics.md documents every ID, and
/// <c>netgen explain ID</c> prints its entry; there is no help link, since the project has no published URL.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Syntax = "NetGen.Syntax";
    private const string Names = "NetGen.Names";
    private const string Shapes = "NetGen.Shapes";
    private const string Limits = "NetGen.Limits";
    private const string Expressions = "NetGen.Expressions";

    public static readonly DiagnosticDescriptor BadCharacter = Error("NG0001", "Unexpected character", Syntax);
    public static readonly DiagnosticDescriptor UnexpectedToken = Error("NG0002", "Syntax error", Syntax);
    public static readonly DiagnosticDescriptor BadIndentation = Error("NG0003", "Bad indentation", Syntax);
    public static readonly DiagnosticDescriptor BadNumber = Error("NG0004", "Invalid number", Syntax);

    public static readonly DiagnosticDescriptor UnknownLayer = Error("NG0101", "Unknown layer or block", Names);
    public static readonly DiagnosticDescriptor UnknownName = Error("NG0102", "Unknown name", Names);
    public static readonly DiagnosticDescriptor UnknownArgument = Error("NG0103", "Unknown argument", Names);
    public static readonly DiagnosticDescriptor DuplicateName = Error("NG0104", "Duplicate name", Names);
    public static readonly DiagnosticDescriptor ArgumentCount = Error("NG0105", "Wrong number of arguments", Names);
    public static readonly DiagnosticDescriptor MissingArgument = Error("NG0106", "Missing argument", Names);
    public static readonly DiagnosticDescriptor ArgumentType = Error("NG0107", "Wrong argument type", Names);
    public static readonly DiagnosticDescriptor DuplicateArgument = Error("NG0108", "Duplicate argument", Names);
    public static readonly DiagnosticDescriptor InvalidIdentifier = Error("NG0109", "Invalid or colliding C# name", Names);
    public static readonly DiagnosticDescriptor Recursion = Error("NG0110", "Recursive block", Names);
    public static readonly DiagnosticDescriptor InvalidValue = Error("NG0111", "Invalid argument value", Names);
    public static readonly DiagnosticDescriptor MissingInput = Error("NG0112", "Missing input shape", Names);
    public static readonly DiagnosticDescriptor Misplaced = Error("NG0113", "Construct not allowed here", Names);
    public static readonly DiagnosticDescriptor BadTap = Error("NG0114", "Tap does not name a stage", Names);

    public static readonly DiagnosticDescriptor ChannelMismatch = Error("NG0201", "Channel mismatch in residual add", Shapes);
    public static readonly DiagnosticDescriptor SpatialMismatch = Error("NG0202", "Spatial size mismatch", Shapes);
    public static readonly DiagnosticDescriptor SizeVanishes = Error("NG0203", "Feature map shrinks to nothing", Shapes);
    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("NG0204", "Groups do not divide the channels", Shapes);
    public static readonly DiagnosticDescriptor WrongRank = Error("NG0205", "Layer needs another input rank", Shapes);
    public static readonly DiagnosticDescriptor SamePaddingImpossible = Error("NG0206", "Padding 'same' is not possible", Shapes);
    public static readonly DiagnosticDescriptor GateMismatch = Error("NG0207", "Gate output does not fit its input", Shapes);

    public static readonly DiagnosticDescriptor RepeatTooLarge = Error("NG0301", "Network too large", Limits);
    public static readonly DiagnosticDescriptor NestingTooDeep = Error("NG0302", "Nesting too deep", Limits);
    public static readonly DiagnosticDescriptor Overflow = Error("NG0303", "Count overflows 64 bits", Limits);
    public static readonly DiagnosticDescriptor NotConstant = Error("NG0304", "Value must be known at compile time", Limits);

    public static readonly DiagnosticDescriptor OperatorType = Error("NG0401", "Operator type mismatch", Expressions);
    public static readonly DiagnosticDescriptor DivisionByZero = Error("NG0402", "Division by zero", Expressions);
    public static readonly DiagnosticDescriptor FunctionArguments = Error("NG0403", "Wrong function arguments", Expressions);
    public static readonly DiagnosticDescriptor UnknownFunction = Error("NG0404", "Unknown function", Expressions);

    public static readonly DiagnosticDescriptor InternalError = Error("NG9999", "Internal generator error", "NetGen.Internal");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    /// <summary>Every descriptor, ordered by ID.</summary>
    public static IEnumerable<DiagnosticDescriptor> Every => All.Values.OrderBy(d => d.Id, System.StringComparer.Ordinal);

    public static DiagnosticDescriptor ById(string id) => All[id];

    private static DiagnosticDescriptor Error(string id, string title, string category) =>
        new(id, title, "{0}", category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: string.Empty);
}
