using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Common;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

public sealed partial class Binder
{
    /// <summary>A module made by a statement, before its key in the parent is fixed.</summary>
/// <summary>A bound child; <paramref name="BlockCall"/>: made by calling a block (such a child is never adopted as its block's own module).</summary>
    private sealed record Entry(string? Name, TextSpan Span, ModuleModel Module, ChildRole Role = ChildRole.Normal, bool BlockCall = false);

    /// <summary>How many '*' concat branches enclose the statement being bound (their layers register on the concat).</summary>
    private int _flatDepth;

    /// <summary>Whether NG0301 for the spent work budget was reported (once per file).</summary>
    private bool _budgetReported;

    /// <summary>Set while binding a '*concat' step: its layers register on the enclosing concat, not on itself.</summary>
    private bool _nextConcatIsFlat;

    /// <summary>A block expanded once for given arguments and input; later identical calls reuse it (and its module).</summary>
    private sealed class Expansion
    {
        public Expansion(List<Entry> entries, int modules)
        {
            Entries = entries;
            Modules = modules;
        }

        public List<Entry> Entries { get; }

        public int Modules { get; }

        /// <summary>The block's module when called without a splice, made on first use.</summary>
        public ModuleModel? Module { get; set; }
    }

    private readonly Dictionary<BlockCallKey, Expansion> _expansions = new();

    /// <summary>
    /// Binds statements one after another, threading the shape. Stops at the first statement that
    /// fails (returns null): later shapes would be guesses and their errors noise.
    /// </summary>
    private List<Entry>? BindStatements(ImmutableArray<StatementSyntax> statements, Scope scope, ref Shape current, bool networkLevel = false)
    {
        var entries = new List<Entry>();
        foreach (var statement in statements)
        {
            if (_aborted || !Step(statement.Span))
            {
                return null;
            }

            switch (statement)
            {
                case LetStatementSyntax let when !networkLevel:
                    var value = _evaluator.Evaluate(let.Value, scope);
                    if (value.IsError)
                    {
                        return null;
                    }

                    DefineLet(scope, let, value);
                    break;
                case ItemStatementSyntax { Item: AuxItemSyntax aux } item:
                    if (!BindAuxiliary(item, aux, networkLevel, scope, current, entries))
                    {
                        return null;
                    }

                    break;
                case ItemStatementSyntax item:
                    if (!BindStatement(item, scope, ref current, entries))
                    {
                        return null;
                    }

                    break;
            }
        }

        return entries;
    }

    private bool BindStatement(ItemStatementSyntax statement, Scope scope, ref Shape current, List<Entry> entries)
    {
        if (statement.When is { } when)
        {
            var condition = Constant(when, scope, "a 'when' condition");
            if (condition is null)
            {
                return false;
            }

            if (condition.Kind != ValueKind.Bool)
            {
                _diagnostics.ArgumentType(when.Span, "when", "condition", "a bool", condition.Describe);
                return false;
            }

            if (!condition.AsBool)
            {
                return true;
            }
        }

        if (statement.Spread && statement.Item is ConcatItemSyntax && statement.Repeat is null)
        {
            // Inside a '*' concat branch, a '*concat' is a step whose branches register on the enclosing concat.
            if (_flatDepth == 0)
            {
                _diagnostics.Misplaced(statement.Span, "'*concat'", "a spliced concat belongs inside a '*' branch of another concat (as in Inception v3's InceptionE)");
                return false;
            }

            _nextConcatIsFlat = true;
            var flat = BindItem(statement.Item, scope, ref current);
            _nextConcatIsFlat = false;
            if (flat is null)
            {
                return false;
            }

            entries.Add(new Entry(null, statement.Span, flat, ChildRole.Flat));
            return true;
        }

        if (statement.Item is AuxItemSyntax)
        {
            _diagnostics.Misplaced(statement.Span, "an auxiliary head", "'aux' statements belong directly in a network's body");
            return false;
        }

        var mark = _calls.Mark;
        if (statement.Name is { } key)
        {
            _calls.EnterName(key.Text);
        }

        try
        {
            if (statement.Repeat is not null)
            {
                return BindRepeat(statement, statement.Repeat, scope, ref current, entries);
            }

            if (statement.Spread)
            {
                var spliced = BindSpliced(statement.Item, scope, ref current);
                if (spliced is null)
                {
                    return false;
                }

                entries.AddRange(spliced);
                return true;
            }

            var made = BindItem(statement.Item, scope, ref current);
            if (made is null)
            {
                return false;
            }

            var blockCall = statement.Item is CallItemSyntax call && !LayerCatalog.TryGet(call.Callee.Text, out _);
            entries.Add(new Entry(statement.Name?.Text, statement.Span, made, BlockCall: blockCall));
            return true;
        }
        catch (OverflowException)
        {
            _diagnostics.Overflow(statement.Span, "a parameter, MAC or feature count here");
            return false;
        }
        finally
        {
            _calls.Restore(mark);
        }
    }

    private bool BindRepeat(ItemStatementSyntax statement, RepeatSyntax repeat, Scope scope, ref Shape current, List<Entry> entries)
    {
        var count = Constant(repeat.Count, scope, "a repeat count");
        if (count is null)
        {
            return false;
        }

        if (count.Kind != ValueKind.Int || count.Integer < 0)
        {
            _diagnostics.InvalidValue(repeat.Count.Span, "a repeat count", "an int of 0 or more", count.Describe);
            return false;
        }

        if (count.Integer > MaxRepeat)
        {
            _diagnostics.TooLarge(repeat.Count.Span, "the repeat count", MaxRepeat, count.Display);
            return false;
        }

        var input = current;
        var copies = new List<Entry>();
        for (var i = 0; i < count.Integer; i++)
        {
            if (!Step(statement.Span))
            {
                return false;
            }

            var iteration = new Scope(scope, capacity: 1);
            iteration.Define("i", Value.Int(i));
            var mark = _calls.Mark;
            _calls.EnterCopy(i);
            if (statement.Spread)
            {
                var spliced = BindSpliced(statement.Item, iteration, ref current);
                _calls.Restore(mark);
                if (spliced is null)
                {
                    return false;
                }

                copies.AddRange(spliced);
                continue;
            }

            var made = BindItem(statement.Item, iteration, ref current);
            _calls.Restore(mark);
            if (made is null)
            {
                return false;
            }

            string? name = null;
            if (repeat.Name is { } template)
            {
                name = ModuleName(template, iteration);
                if (name is null)
                {
                    return false;
                }
            }

            copies.Add(new Entry(name, statement.Span, made));
        }

        if (statement.Spread)
        {
            entries.AddRange(copies);
            return true;
        }

        if (Finalize(copies, reservedName: null) is not { } children || !CountModule(statement.Span))
        {
            return false;
        }

        entries.Add(new Entry(statement.Name?.Text, statement.Span, Sequence(children, null, input, current)));
        return true;
    }

    /// <summary>The name a template gives one copy of a repeat: its text, and each hole's int value (zero-padded to its width).</summary>
    private string? ModuleName(NameTemplateSyntax template, Scope scope)
    {
        var name = new System.Text.StringBuilder();
        foreach (var part in template.Parts)
        {
            if (part.Index is not { } index)
            {
                name.Append(part.Text);
                continue;
            }

            var value = Constant(index, scope, "a name index");
            if (value is null)
            {
                return null;
            }

            if (value.Kind != ValueKind.Int)
            {
                _diagnostics.ArgumentType(index.Span, "as", "name index", "an int (names may not contain '.')", value.Describe);
                return null;
            }

            var text = value.Integer.ToString(CultureInfo.InvariantCulture);
            if (part.Width is { } width && int.TryParse(width.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var digits))
            {
                text = text.PadLeft(Math.Min(digits, 20), '0');
            }

            name.Append(text);
        }

        if (name.Length > Lexer.MaxIdentifierLength)
        {
            _diagnostics.TooLarge(template.Span, "the module name's length", Lexer.MaxIdentifierLength, name.Length.ToString(CultureInfo.InvariantCulture));
            return null;
        }

        return name.ToString();
    }

    /// <summary>Binds one item to the module it makes. Null when it fails.</summary>
    private ModuleModel? BindItem(ItemSyntax item, Scope scope, ref Shape current)
    {
        if (!Enter(item.Span))
        {
            return null;
        }

        try
        {
            switch (item)
            {
                case CallItemSyntax call when LayerCatalog.TryGet(call.Callee.Text, out var spec):
                    return BindLayer(call, spec, scope, ref current);
                case CallItemSyntax call:
                    return BindBlockCall(call, scope, ref current);
                case GroupItemSyntax group:
                    var input = current;
                    var entries = BindStatements(group.Body.Statements, new Scope(scope), ref current);
                    return entries is not null && Finalize(entries, reservedName: null) is { } children && CountModule(group.Span) ? Sequence(children, null, input, current) : null;
                case ResidualItemSyntax residual:
                    return BindResidual(residual, scope, ref current);
                case DenseItemSyntax dense:
                    return BindDense(dense, scope, ref current);
                case ConcatItemSyntax concat:
                    return BindConcat(concat, scope, ref current);
                case GateItemSyntax gate:
                    return BindGate(gate, scope, ref current);
                default:
                    return null;
            }
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>
    /// Binds a spliced item ('*'): a block's or group's statements become the caller's own; any other
    /// item is its one module. Null when it fails.
    /// </summary>
    private List<Entry>? BindSpliced(ItemSyntax item, Scope scope, ref Shape current)
    {
        var block = item is CallItemSyntax call && !LayerCatalog.TryGet(call.Callee.Text, out _) ? call : null;
        if (block is null && item is not GroupItemSyntax)
        {
            return BindItem(item, scope, ref current) is { } module ? new List<Entry> { new(null, default, module) } : null;
        }

        if (!Enter(item.Span))
        {
            return null;
        }

        try
        {
            return block is not null
                ? ExpandBlock(block, scope, ref current)?.Entries
                : BindStatements(((GroupItemSyntax)item).Body.Statements, new Scope(scope), ref current);
        }
        finally
        {
            _depth--;
        }
    }

    private bool Enter(TextSpan span)
    {
        if (++_depth <= MaxDepth)
        {
            return true;
        }

        _diagnostics.NestingTooDeep(span, "blocks, groups and connections", MaxDepth);
        _aborted = true;
        _depth--;
        return false;
    }

    /// <summary>Counts one step of the file's work budget; false, after reporting NG0301 once, when it is spent.</summary>
    private bool Step(TextSpan span)
    {
        if (_budget.Spend())
        {
            return true;
        }

        ReportBudget(span);
        return false;
    }

    private void ReportBudget(TextSpan span)
    {
        if (!_budgetReported)
        {
            _diagnostics.TooMuchWork(span, _budget.Limit);
            _budgetReported = true;
        }

        _aborted = true;
    }

    private bool CountModule(TextSpan span, int count = 1)
    {
        _modules += count;
        if (_modules <= MaxModules)
        {
            return true;
        }

        if (!_aborted)
        {
            _diagnostics.TooManyModules(span, MaxModules);
            _aborted = true;
        }

        return false;
    }

    /// <summary>Evaluates an expression whose value decides structure, so must not depend on a constructor parameter.</summary>
    private Value? Constant(ExpressionSyntax expression, Scope scope, string what)
    {
        var value = _evaluator.Evaluate(expression, scope);
        if (value.IsError)
        {
            return null;
        }

        if (value.IsDynamic)
        {
            _diagnostics.NotConstant(expression.Span, what, value.DependsOn ?? "?");
            return null;
        }

        return value;
    }

    /// <summary>Fixes the keys of a container's children: a name, or the index among its children as nn.Sequential numbers them.</summary>
    private EquatableArray<ChildModel>? Finalize(List<Entry> entries, (string Name, TextSpan Span)? reservedName)
    {
        // Only names can clash (an index key is a number, a name an identifier), so most containers,
        // whose children are unnamed, need no lookup at all.
        Dictionary<string, TextSpan>? named = null;
        if (reservedName is { } reserved)
        {
            named = new Dictionary<string, TextSpan>(StringComparer.Ordinal) { [reserved.Name] = reserved.Span };
        }

        var children = ImmutableArray.CreateBuilder<ChildModel>(entries.Count);
        var ok = true;
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            if (entry.Name is not { } name)
            {
                children.Add(new ChildModel(IndexKey(index), entry.Module, entry.Role));
                continue;
            }

            named ??= new Dictionary<string, TextSpan>(StringComparer.Ordinal);
            if (named.TryGetValue(name, out var first))
            {
                _diagnostics.DuplicateName(entry.Span, "module name", name, LineOf(first.Start));
                ok = false;
                continue;
            }

            named.Add(name, entry.Span);
            children.Add(new ChildModel(name, entry.Module, entry.Role));
        }

        return ok ? new EquatableArray<ChildModel>(children.MoveToImmutable()) : null;
    }

    private static readonly string[] IndexKeys = Enumerable.Range(0, 64).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string IndexKey(int index) => index < IndexKeys.Length ? IndexKeys[index] : index.ToString(CultureInfo.InvariantCulture);

    private bool BindAuxiliary(ItemStatementSyntax statement, AuxItemSyntax aux, bool networkLevel, Scope scope, Shape current, List<Entry> entries)
    {
        if (!networkLevel)
        {
            _diagnostics.Misplaced(aux.Span, "an auxiliary head", "'aux' statements belong directly in a network's body");
            return false;
        }

        if (statement.Name is null || statement.Repeat is not null || statement.Spread)
        {
            _diagnostics.Misplaced(aux.Span, "an unnamed, repeated or spliced 'aux'", "name it once, e.g. 'aux1: aux InceptionAux(512, num_classes)'");
            return false;
        }

        if (statement.When is { } when)
        {
            var condition = Constant(when, scope, "a 'when' condition");
            if (condition is null || condition.Kind != ValueKind.Bool)
            {
                if (condition is not null)
                {
                    _diagnostics.ArgumentType(when.Span, "when", "condition", "a bool", condition.Describe);
                }

                return false;
            }

            if (!condition.AsBool)
            {
                return true;
            }
        }

        var name = statement.Name.Value;
        var property = CSharpNames.AuxiliaryProperty(name.Text);
        if (CSharpNames.OutputsMembers.Contains(property))
        {
            _diagnostics.InvalidIdentifier(name.Span, name.Text, "an auxiliary head's name", $"it becomes the property '{property}' of the generated Outputs record, which has a member of that name");
            return false;
        }

        // The same name twice is a duplicate key, reported where keys are checked; here, names that meet only as properties.
        if (entries.FirstOrDefault(e => e.Role == ChildRole.Auxiliary && e.Name != name.Text && CSharpNames.AuxiliaryProperty(e.Name!) == property) is { } other)
        {
            _diagnostics.DuplicateIgnoringCase(name.Span, "auxiliary head", name.Text, other.Name!, LineOf(other.Span.Start));
            return false;
        }

        // The head reads the features here; the main path continues from the same features.
        var branch = current;
        var mark = _calls.Mark;
        _calls.EnterName(name.Text);
        var made = BindItem(aux.Head, scope, ref branch);
        _calls.Restore(mark);
        if (made is null)
        {
            return false;
        }

        entries.Add(new Entry(statement.Name.Value.Text, statement.Span, made, ChildRole.Auxiliary));
        return true;
    }

    private SequenceModel Sequence(EquatableArray<ChildModel> children, string? origin, Shape input, Shape output) =>
        new(children, origin, input, output, Sum(children, m => m.Parameters), Sum(children, m => m.Macs));

    private static long Sum(IEnumerable<ChildModel> children, Func<ModuleModel, long> count)
    {
        var sum = 0L;
        foreach (var child in children)
        {
            sum = SafeMath.Add(sum, count(child.Module));
        }

        return sum;
    }
}
