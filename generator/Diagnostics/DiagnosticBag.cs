using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// A diagnostic before line positions are known: ID, message, span, and the class and block calls whose
/// expansion met it (null outside a block expansion), which are added to the message when it is printed.
/// </summary>
public readonly record struct PendingDiagnostic(DiagnosticDescriptor Descriptor, string Message, TextSpan Span, CallChain? Chain = null)
{
    /// <summary>What makes it the same error, whichever class's expansion met it.</summary>
    public (string Id, string Message, TextSpan Span) Key => (Descriptor.Id, Message, Span);
}

/// <summary>
/// The class being bound and the block calls that led to a diagnostic, e.g. <c>ResNet50</c> and
/// <c>layer3[0] → Bottleneck</c> (each call as the key path of its call site, then the block).
/// </summary>
public sealed record CallChain(string ClassName, string Calls)
{
    public override string ToString() => ClassName + " → " + Calls;
}

/// <summary>
/// Collects diagnostics. One method per kind of error keeps every message text in this file;
/// each message quotes what is wrong and says what would be right.
/// </summary>
public sealed class DiagnosticBag
{
    private readonly List<PendingDiagnostic> _items = new();

    public IReadOnlyList<PendingDiagnostic> Items => _items;

    public int Count => _items.Count;

    /// <summary>Says where the binder is when a diagnostic is reported (null, or returning null: not inside a block expansion).</summary>
    public System.Func<CallChain?>? Chain { get; set; }

    private void Report(DiagnosticDescriptor descriptor, TextSpan span, string message) =>
        _items.Add(new PendingDiagnostic(descriptor, message, span, Chain?.Invoke()));

    /// <summary>Removes and returns the diagnostics reported since <paramref name="start"/> (a former <see cref="Count"/>).</summary>
    public IReadOnlyList<PendingDiagnostic> TakeFrom(int start)
    {
        var taken = _items.GetRange(start, _items.Count - start);
        _items.RemoveRange(start, _items.Count - start);
        return taken;
    }

    /// <summary>Puts back a diagnostic taken with <see cref="TakeFrom"/>.</summary>
    public void Restore(PendingDiagnostic diagnostic) => _items.Add(diagnostic);

    /// <summary>Reports an error that only a variant's values cause at the variant's own line, saying where it arises.</summary>
    public void InVariant(TextSpan variantName, string variant, PendingDiagnostic original, int line) =>
        Report(original.Descriptor, variantName, $"variant '{variant}': {original.Message} (at line {N(line)}{(original.Chain is { } chain ? ", in " + chain : "")})");

    /// <summary>
    /// The diagnostics to print, in order of position: one per error (code, message and span), however many
    /// classes met it. One met inside a block expansion names the first class's call chain, and how many others met it.
    /// </summary>
    public static IEnumerable<(PendingDiagnostic Diagnostic, string Message)> Printed(IEnumerable<PendingDiagnostic> items)
    {
        var groups = new Dictionary<(string Id, string Message, TextSpan Span), (PendingDiagnostic First, HashSet<string>? Classes)>();
        var order = new List<(string, string, TextSpan)>();
        foreach (var item in items)
        {
            var key = item.Key;
            if (!groups.TryGetValue(key, out var group))
            {
                order.Add(key);
                group = (item, null);
            }

            if (item.Chain is { } chain)
            {
                group.Classes ??= new HashSet<string>(System.StringComparer.Ordinal);
                group.Classes.Add(chain.ClassName);
            }

            groups[key] = group;
        }

        foreach (var key in order)
        {
            var (first, classes) = groups[key];
            var message = first.Message;
            if (first.Chain is { } chain)
            {
                var others = classes!.Count - 1;
                message += $" (in {chain}{(others == 0 ? "" : $"; also in {N(others)} other class{(others == 1 ? "" : "es")}")})";
            }

            yield return (first, message);
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Thousands(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    // Syntax -------------------------------------------------------------------------------

    public void BadCharacter(TextSpan span, char c) =>
        Report(DiagnosticDescriptors.BadCharacter, span,
            $"unexpected character '{Printable(c)}'; names use ASCII letters, digits and '_', comments start with '#'");

    public void UnexpectedToken(TextSpan span, string found, string expected) =>
        Report(DiagnosticDescriptors.UnexpectedToken, span, $"expected {expected} but found {found}");

    public void TabIndentation(TextSpan span) =>
        Report(DiagnosticDescriptors.BadIndentation, span, "a tab in indentation; indent with spaces");

    public void InconsistentDedent(TextSpan span, int column) =>
        Report(DiagnosticDescriptors.BadIndentation, span,
            $"this line is indented by {N(column)} spaces, which matches no enclosing level; align it with the block it belongs to");

    public void UnexpectedIndent(TextSpan span) =>
        Report(DiagnosticDescriptors.BadIndentation, span,
            "unexpected indentation; only the lines of a network, block, group, residual, dense, concat or gate are indented");

    public void BadNumber(TextSpan span, string text) =>
        Report(DiagnosticDescriptors.BadNumber, span, $"'{text}' is not a valid number (integers fit 64 bits; floats look like 0.1 or 1e-5)");

    // Names --------------------------------------------------------------------------------

    public void UnknownLayer(TextSpan span, string name, string? suggestion) =>
        Report(DiagnosticDescriptors.UnknownLayer, span,
            $"unknown layer or block '{name}'" + (suggestion is null ? "; see docs/dsl.md for the layers, or define it with 'block'" : $"; did you mean '{suggestion}'?"));

    public void UnknownName(TextSpan span, string name, IEnumerable<string> inScope) =>
        Report(DiagnosticDescriptors.UnknownName, span, $"unknown name '{name}'; in scope here: {Join(inScope, "nothing")}");

    public void UnknownArgument(TextSpan span, string callee, string argument, IEnumerable<string> accepted) =>
        Report(DiagnosticDescriptors.UnknownArgument, span, $"'{callee}' has no argument '{argument}'; it takes {Join(accepted, "no arguments")}");

    public void DuplicateName(TextSpan span, string what, string name, int firstLine) =>
        Report(DiagnosticDescriptors.DuplicateName, span, $"duplicate {what} '{name}' (first defined on line {N(firstLine)}); give it another name");

    public void DuplicateIgnoringCase(TextSpan span, string what, string name, string first, int firstLine) =>
        Report(DiagnosticDescriptors.DuplicateName, span, $"{what} '{name}' differs from '{first}' (line {N(firstLine)}) only in case; generated file names ignore case, so give it another name");

    public void TooManyArguments(TextSpan span, string callee, int maximum, int given) =>
        Report(DiagnosticDescriptors.ArgumentCount, span,
            $"'{callee}' takes {N(maximum)} positional argument{(maximum == 1 ? "" : "s")} but was given {N(given)}; name the others (e.g. s=2)");

    public void PositionalAfterNamed(TextSpan span) =>
        Report(DiagnosticDescriptors.ArgumentCount, span, "a positional argument after a named one; put positional arguments first");

    public void MissingArgument(TextSpan span, string callee, string argument) =>
        Report(DiagnosticDescriptors.MissingArgument, span, $"'{callee}' needs argument '{argument}'");

    public void ArgumentType(TextSpan span, string callee, string argument, string expected, string actual) =>
        Report(DiagnosticDescriptors.ArgumentType, span, $"argument '{argument}' of '{callee}' must be {expected}, but is {actual}");

    public void DuplicateArgument(TextSpan span, string callee, string argument) =>
        Report(DiagnosticDescriptors.DuplicateArgument, span, $"argument '{argument}' of '{callee}' is given twice; keep one");

    public void NameTooLong(TextSpan span, string name, int limit) =>
        Report(DiagnosticDescriptors.InvalidIdentifier, span, $"the name '{name.Substring(0, 16)}…' is {Thousands(name.Length)} characters long; names reach C# and file names, so they may have at most {N(limit)}");

    public void InvalidIdentifier(TextSpan span, string name, string what, string reason) =>
        Report(DiagnosticDescriptors.InvalidIdentifier, span, $"'{name}' cannot be used as {what}: {reason}");

    public void Recursion(TextSpan span, string cycle) =>
        Report(DiagnosticDescriptors.Recursion, span, $"blocks call each other in a cycle ({cycle}); a network must be finite, so break the cycle");

    public void InvalidValue(TextSpan span, string what, string constraint, string actual) =>
        Report(DiagnosticDescriptors.InvalidValue, span, $"{what} must be {constraint}, but is {actual}");

    public void MissingInput(TextSpan span, string network) =>
        Report(DiagnosticDescriptors.MissingInput, span,
            $"network '{network}' does not say its input shape; add a first line such as 'input 3x224x224' (channels x height x width)");

    public void Misplaced(TextSpan span, string what, string where) =>
        Report(DiagnosticDescriptors.Misplaced, span, $"{what} is not allowed here; {where}");

    public void BadTap(TextSpan span, string tap, string problem, string fix) =>
        Report(DiagnosticDescriptors.BadTap, span, $"tap '{tap}': {problem}; {fix}");

    // Shapes -------------------------------------------------------------------------------

    public void ChannelMismatch(TextSpan span, string body, string shortcut, string fix) =>
        Report(DiagnosticDescriptors.ChannelMismatch, span, $"residual adds {body} to {shortcut}; {fix}");

    public void SpatialMismatch(TextSpan span, string what, string shapes, string fix) =>
        Report(DiagnosticDescriptors.SpatialMismatch, span, $"{what} joins feature maps of different sizes ({shapes}); {fix}");

    public void SizeVanishes(TextSpan span, string layer, string input, string output, string hint) =>
        Report(DiagnosticDescriptors.SizeVanishes, span, $"'{layer}' turns a {input} input into {output}; {hint}");

    public void GroupsDoNotDivide(TextSpan span, string what, long channels, long groups) =>
        Report(DiagnosticDescriptors.GroupsDoNotDivide, span,
            $"groups={N(groups)} does not divide the {N(channels)} {what}; use a divisor of {N(channels)}");

    public void NeedsFlatInput(TextSpan span, string layer, string shape) =>
        Report(DiagnosticDescriptors.WrongRank, span, $"'{layer}' needs a flat input (features) or a channels-last map, but gets {shape}; insert 'flatten' (after a pooling layer) before it, or 'channels_last' to apply it at every position");

    public void NeedsChannelsFirst(TextSpan span, string layer, string shape) =>
        Report(DiagnosticDescriptors.WrongRank, span, $"'{layer}' needs a channels x height x width map, but gets {shape}; insert 'channels_first' before it");

    public void NeedsChannelsLast(TextSpan span, string layer, string shape) =>
        Report(DiagnosticDescriptors.WrongRank, span, $"'{layer}' permutes a channels-last map back, but gets {shape}; it belongs after 'channels_last'");

    public void NeedsSpatialInput(TextSpan span, string layer, string shape) =>
        Report(DiagnosticDescriptors.WrongRank, span, $"'{layer}' needs a channels x height x width input, but gets the flat {shape}; move it before 'flatten'");

    public void SamePaddingImpossible(TextSpan span, string reason) =>
        Report(DiagnosticDescriptors.SamePaddingImpossible, span, $"padding 'same' is not possible here: {reason}; give the padding explicitly");

    public void GateMismatch(TextSpan span, string gate, string input) =>
        Report(DiagnosticDescriptors.GateMismatch, span,
            $"the gate computes {gate}, which cannot scale its {input} input; end the gate with as many channels as its input (e.g. conv(in.channels, k=1)) at 1x1 or the input's size");

    // Limits -------------------------------------------------------------------------------

    public void TooLarge(TextSpan span, string what, long limit, string actual) =>
        Report(DiagnosticDescriptors.RepeatTooLarge, span, $"{what} is {actual}, above the limit of {N(limit)}; make the network smaller");

    public void TooManyModules(TextSpan span, long limit) =>
        Report(DiagnosticDescriptors.RepeatTooLarge, span, $"this network expands to more than {N(limit)} modules, the limit; make it smaller (are repeats nested?)");

    public void MissingDefault(TextSpan span, string network, string parameter) =>
        Report(DiagnosticDescriptors.MissingArgument, span,
            $"parameter '{parameter}' of network '{network}' needs a default ('{parameter} = …'): a network can be constructed with no arguments");

    public void TooManyClasses(TextSpan span, int limit) =>
        Report(DiagnosticDescriptors.RepeatTooLarge, span, $"this file generates more than {N(limit)} networks and variants, the limit; split it into several files");

    public void TooMuchWork(TextSpan span, long limit) =>
        Report(DiagnosticDescriptors.RepeatTooLarge, span, $"binding this file takes more than {N(limit)} steps (statements, repeat iterations, block expansions and expression terms), the limit; make it smaller (are repeats nested?)");

    public void NestingTooDeep(TextSpan span, string what, int limit) =>
        Report(DiagnosticDescriptors.NestingTooDeep, span, $"{what} nest more than {N(limit)} levels deep; flatten the structure");

    public void Overflow(TextSpan span, string what) =>
        Report(DiagnosticDescriptors.Overflow, span, $"{what} overflows a 64-bit integer; use smaller sizes");

    public void FloatOverflow(TextSpan span, string what) =>
        Report(DiagnosticDescriptors.Overflow, span, $"{what} is not a finite number (it overflows a double); use smaller values");

    public void NotConstant(TextSpan span, string what, string parameter) =>
        Report(DiagnosticDescriptors.NotConstant, span,
            $"{what} must be known at compile time, but depends on constructor parameter '{parameter}'; use a block parameter, a 'let', or a variant instead");

    // Expressions --------------------------------------------------------------------------

    public void OperatorType(TextSpan span, string op, string operands, string hint) =>
        Report(DiagnosticDescriptors.OperatorType, span, $"operator '{op}' cannot be applied to {operands}; {hint}");

    public void DivisionByZero(TextSpan span, string expression) =>
        Report(DiagnosticDescriptors.DivisionByZero, span, $"'{expression}' divides by zero");

    public void FunctionArguments(TextSpan span, string function, string expected, string actual) =>
        Report(DiagnosticDescriptors.FunctionArguments, span, $"'{function}' takes {expected}, but was given {actual}");

    public void UnknownFunction(TextSpan span, string name, IEnumerable<string> known) =>
        Report(DiagnosticDescriptors.UnknownFunction, span, $"unknown function '{name}'; the functions are {Join(known, "none")}");

    public void InternalError(TextSpan span, string message) =>
        Report(DiagnosticDescriptors.InternalError, span,
            $"NetGen failed on this file ({message}); this is a bug in NetGen, please report it with the file");

    private static string Join(IEnumerable<string> items, string none)
    {
        var text = string.Join(", ", items);
        return text.Length == 0 ? none : text;
    }

    private static string Printable(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();
}
