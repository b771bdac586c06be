using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Common;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

public sealed partial class Binder
{
    private ResidualModel? BindResidual(ResidualItemSyntax residual, Scope scope, ref Shape current)
    {
        var input = current;
        var bodyShape = input;
        var body = BindStatements(residual.Body.Statements, new Scope(scope), ref bodyShape);
        if (body is null || !CountModule(residual.Span))
        {
            return null;
        }

        ChildModel? shortcut = null;
        var shortcutShape = input;
        var shortcutFrom = -1;
        if (residual.Shortcut is { } clause && !clause.Name.IsMissing)
        {
            if (clause.From is { } from && !from.IsMissing)
            {
                shortcutFrom = body.FindIndex(e => e.Name == from.Text);
                if (shortcutFrom < 0)
                {
                    _diagnostics.UnknownName(from.Span, from.Text, body.Where(e => e.Name is not null).Select(e => e.Name!));
                    return null;
                }

                shortcutShape = body[shortcutFrom].Module.Output;
            }

            var active = true;
            if (clause.When is { } when)
            {
                var condition = Constant(when, scope, "a 'when' condition");
                if (condition is null)
                {
                    return null;
                }

                if (condition.Kind != ValueKind.Bool)
                {
                    _diagnostics.ArgumentType(when.Span, "when", "condition", "a bool", condition.Describe);
                    return null;
                }

                active = condition.AsBool;
            }

            if (active)
            {
                var made = BindItem(clause.Item, new Scope(scope), ref shortcutShape);
                if (made is null)
                {
                    return null;
                }

                shortcut = new ChildModel(clause.Name.Text, made);
            }
            else
            {
                shortcutFrom = -1;
                shortcutShape = input;
            }
        }

        var children = Finalize(body, shortcut is null ? null : (shortcut.Key, residual.Shortcut!.Name.Span));
        if (children is null)
        {
            return null;
        }

        if (!ResidualFits(residual, body, shortcut, bodyShape, shortcutShape))
        {
            return null;
        }

        if (!BindThen(residual.Then, scope, bodyShape, out var then))
        {
            return null;
        }

        var modules = children.Value.Concat(shortcut is null ? Enumerable.Empty<ChildModel>() : new[] { shortcut }).ToList();
        current = bodyShape;
        return new ResidualModel(children.Value, shortcut, shortcut is null ? -1 : shortcutFrom, then, null, input, bodyShape, Sum(modules, m => m.Parameters), Sum(modules, m => m.Macs));
    }

    /// <summary>
    /// The layer a 'then' clause applies to a connection's result: a built-in activation or rearrangement
    /// without parameters that keeps the shape (channel_shuffle). False after reporting anything else.
    /// </summary>
    private bool BindThen(CallItemSyntax? call, Scope scope, Shape shape, out LayerModel? then)
    {
        then = null;
        if (call is null || call.Callee.IsMissing)
        {
            return call is null;
        }

        if (!LayerCatalog.TryGet(call.Callee.Text, out var spec))
        {
            _diagnostics.UnknownLayer(call.Callee.Span, call.Callee.Text, Closest(call.Callee.Text, LayerCatalog.Activations) ?? "relu");
            return false;
        }

        var output = shape;
        if (BindLayer(call, spec, scope, ref output) is not LayerModel layer)
        {
            return false;
        }

        // Run, not registered: it must hold no tensors and behave alike in training and evaluation (no dropout).
        if (layer.Parameters != 0 || layer.Spec.Role is not (LayerRole.Activation or LayerRole.Rearrangement or LayerRole.Identity) || output != shape)
        {
            _diagnostics.Misplaced(call.Span, $"'{spec.Name}' after 'then'", "'then' takes an activation or channel_shuffle (no parameters, the same shape, alike in training and evaluation); put other layers after the connection");
            return false;
        }

        then = layer;
        return true;
    }

    private static string Channels(Shape shape) =>
        shape.ChannelsCSharp
        + (shape.IsFlat ? " features" : " channels");

    private DenseModel? BindDense(DenseItemSyntax dense, Scope scope, ref Shape current)
    {
        var input = current;
        var bodyShape = input;
        var body = BindStatements(dense.Body.Statements, new Scope(scope), ref bodyShape);
        if (body is null || !CountModule(dense.Span))
        {
            return null;
        }

        var children = Finalize(body, reservedName: null);
        if (children is null || !ChannelsFirstParts(dense.Span, "dense concat", new[] { ("input", input), ("body", bodyShape) }) || !DenseFits(dense, body, input, bodyShape))
        {
            return null;
        }

        current = Joined(input, bodyShape, SafeMath.Add(input.Channels, bodyShape.Channels));
        return new DenseModel(children.Value, null, input, current, Sum(children.Value, m => m.Parameters), Sum(children.Value, m => m.Macs));
    }

    private ConcatModel? BindConcat(ConcatItemSyntax concat, Scope scope, ref Shape current)
    {
        var isFlat = _nextConcatIsFlat;
        _nextConcatIsFlat = false;
        var input = current;
        var chunk = input;
        if (concat.Split)
        {
            if (SplitChunk(concat, input) is not { } cut)
            {
                return null;
            }

            chunk = cut;
        }

        var branches = new List<Entry>();
        var outputs = new List<(string, Shape)>();
        foreach (var statement in concat.Body.Statements)
        {
            if (statement is LetStatementSyntax let)
            {
                _diagnostics.UnexpectedToken(let.Span, "'let'", "a branch (put 'let' before the 'concat')");
                return null;
            }

            var item = (ItemStatementSyntax)statement;
            var branchShape = concat.Split ? chunk : input;
            var before = branches.Count;
            if (concat.Split && (item.Spread || item.Repeat is not null))
            {
                _diagnostics.Misplaced(item.Span, item.Spread ? "a '*' branch" : "a repeated branch", "each branch of a 'split' is one statement reading one chunk of the channels");
                return null;
            }

            if (item.Spread)
            {
                // A '*' branch runs as one branch, but its layers register on this concat.
                _flatDepth++;
                var bound = BindStatement(item with { Spread = false, Name = null }, new Scope(scope), ref branchShape, branches);
                _flatDepth--;
                if (!bound)
                {
                    return null;
                }

                branches[before] = branches[before] with { Role = ChildRole.Flat };
            }
            else if (!BindStatement(item, new Scope(scope), ref branchShape, branches))
            {
                return null;
            }

            for (var i = before; i < branches.Count; i++)
            {
                outputs.Add((branches[i].Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture), branchShape));
            }
        }

        if (branches.Count == 0)
        {
            _diagnostics.UnexpectedToken(concat.Span, $"an empty '{Keyword(concat)}'", "one or more indented branches");
            return null;
        }

        var children = Finalize(branches, reservedName: null);
        if (children is null || !CountModule(concat.Span) || !ChannelsFirstParts(concat.Span, Keyword(concat), outputs) || !ConcatFits(concat, branches, outputs))
        {
            return null;
        }

        if (children.Value.Any(c => c.Role == ChildRole.Flat) && !isFlat)
        {
            children = RegisterFlat(concat.Span, children.Value);
            if (children is null)
            {
                return null;
            }
        }

        if (concat.Split && children.Value.Count != concat.Body.Statements.Count(IsBranch))
        {
            // A branch dropped by 'when' would leave its chunk unread.
            _diagnostics.Misplaced(concat.Span, "a 'split' with a branch left out by 'when'", "every chunk needs its branch; use 'identity' for a chunk that passes through");
            return null;
        }

        var channels = outputs.Aggregate(0L, (sum, o) => SafeMath.Add(sum, o.Item2.Channels));
        var joined = Joined(outputs[0].Item2, outputs[outputs.Count - 1].Item2, channels, outputs.Select(o => o.Item2).ToList());
        if (!BindThen(concat.Then, scope, joined, out var then))
        {
            return null;
        }

        current = joined;
        return new ConcatModel(children.Value, null, input, current, Sum(children.Value, m => m.Parameters), Sum(children.Value, m => m.Macs))
        {
            Split = concat.Split,
            Then = then,
        };
    }

    private static string Keyword(ConcatItemSyntax concat) => concat.Split ? "split" : "concat";

    private static bool IsBranch(StatementSyntax statement) => statement is ItemStatementSyntax;

    /// <summary>The shape each branch of a 'split' reads: the input's channels cut into one equal chunk per branch.</summary>
    private Shape? SplitChunk(ConcatItemSyntax split, Shape input)
    {
        var branches = split.Body.Statements.Count(IsBranch);
        if (!input.IsChannelsFirst)
        {
            _diagnostics.NeedsSpatialInput(split.Span, "split", input.ToString());
            return null;
        }

        if (branches == 0)
        {
            _diagnostics.UnexpectedToken(split.Span, "an empty 'split'", "one or more indented branches");
            return null;
        }

        if (input.ChannelsExpression is not null || input.Channels % branches != 0)
        {
            _diagnostics.InvalidValue(split.Span, $"the channels a 'split' cuts into {branches} equal chunks", $"a known multiple of {branches}", input.ChannelsCSharp);
            return null;
        }

        return input.WithChannels(input.Channels / branches, null);
    }

    /// <summary>
    /// Gives every layer that registers on a concat through '*' branches its final key: names stay,
    /// unnamed layers (all-digit keys) are numbered by their position among all of them, as they
    /// would be in one nn.Module. Reports names used twice.
    /// </summary>
    private EquatableArray<ChildModel>? RegisterFlat(Microsoft.CodeAnalysis.Text.TextSpan span, EquatableArray<ChildModel> branches)
    {
        var index = 0;
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var ok = true;

        ChildModel Rekey(ChildModel child)
        {
            if (child.Role == ChildRole.Flat && child.Module is SequenceModel or ConcatModel)
            {
                return child with
                {
                    Module = child.Module switch
                    {
                        SequenceModel sequence => sequence with { Children = sequence.Children.Select(Rekey).ToEquatableArray() },
                        ConcatModel nested => nested with { Branches = nested.Branches.Select(Rekey).ToEquatableArray() },
                        _ => child.Module,
                    },
                    Key = string.Empty,
                };
            }

            var key = child.Key.All(char.IsDigit) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : child.Key;
            index++;
            if (!seen.Add(key))
            {
                _diagnostics.DuplicateName(span, "module name", key, LineOf(span.Start));
                ok = false;
            }

            return child with { Key = key, Role = ChildRole.Normal };
        }

        var result = branches.Select(Rekey).ToEquatableArray();
        return ok ? result : null;
    }

    private GateModel? BindGate(GateItemSyntax gate, Scope scope, ref Shape current)
    {
        var input = current;
        var gateShape = input;
        var body = BindStatements(gate.Body.Statements, new Scope(scope), ref gateShape);
        if (body is null || !CountModule(gate.Span))
        {
            return null;
        }

        if (Finalize(body, reservedName: null) is not { } children)
        {
            return null;
        }

        if (!GateFits(gate, body, input, gateShape))
        {
            return null;
        }

        return new GateModel(children, null, input, input, Sum(children, m => m.Parameters), Sum(children, m => m.Macs));
    }

    /// <summary>Joins along channels need channels-first maps (or features); reports NG0205 for a channels-last part.</summary>
    private bool ChannelsFirstParts(Microsoft.CodeAnalysis.Text.TextSpan span, string what, IEnumerable<(string Name, Shape Shape)> parts)
    {
        foreach (var (name, shape) in parts)
        {
            if (shape.ChannelsLast)
            {
                _diagnostics.NeedsChannelsFirst(span, what, $"{name} {shape}");
                return false;
            }
        }

        return true;
    }

    private static Shape Joined(Shape first, Shape last, long channels, IReadOnlyList<Shape>? all = null)
    {
        var parts = all ?? new[] { first, last };
        RuntimeExpression? expression = null;
        if (parts.Any(p => p.ChannelsExpression is not null))
        {
            expression = parts.Select(p => RuntimeExpression.Of(p.ChannelsValue)).Aggregate((sum, next) => new RuntimeBinary(RuntimeOperator.Add, sum, next, Floats: false));
        }

        return first.IsFlat ? Shape.Flat(channels, expression) : Shape.Spatial(channels, first.Height, first.Width, expression);
    }
}
