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
        string? activation = null;
        if (residual.Activation is { } token && !token.IsMissing)
        {
            if (!LayerCatalog.Activations.Contains(token.Text))
            {
                _diagnostics.UnknownLayer(token.Span, token.Text, Closest(token.Text, LayerCatalog.Activations) ?? "relu");
                return null;
            }

            activation = token.Text;
        }

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

        var modules = children.Value.Concat(shortcut is null ? Enumerable.Empty<ChildModel>() : new[] { shortcut }).ToList();
        current = bodyShape;
        return new ResidualModel(children.Value, shortcut, shortcut is null ? -1 : shortcutFrom, activation, null, input, bodyShape, Sum(modules, m => m.Parameters), Sum(modules, m => m.Macs));
    }

    private static string Channels(Shape shape) =>
        (shape.ChannelsExpression is null ? shape.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture) : shape.ChannelsExpression)
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
        if (children is null || !DenseFits(dense, body, input, bodyShape))
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
            var branchShape = input;
            var before = branches.Count;
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
            _diagnostics.UnexpectedToken(concat.Span, "an empty 'concat'", "one or more indented branches");
            return null;
        }

        var children = Finalize(branches, reservedName: null);
        if (children is null || !CountModule(concat.Span) || !ConcatFits(concat, branches, outputs))
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

        var channels = outputs.Aggregate(0L, (sum, o) => SafeMath.Add(sum, o.Item2.Channels));
        current = Joined(outputs[0].Item2, outputs[outputs.Count - 1].Item2, channels, outputs.Select(o => o.Item2).ToList());
        return new ConcatModel(children.Value, null, input, current, Sum(children.Value, m => m.Parameters), Sum(children.Value, m => m.Macs));
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

    private static Shape Joined(Shape first, Shape last, long channels, IReadOnlyList<Shape>? all = null)
    {
        var parts = all ?? new[] { first, last };
        string? expression = null;
        if (parts.Any(p => p.ChannelsExpression is not null))
        {
            expression = "(" + string.Join(" + ", parts.Select(p => p.ChannelsCSharp)) + ")";
        }

        return first.IsFlat ? Shape.Flat(channels, expression) : Shape.Spatial(channels, first.Height, first.Width, expression);
    }
}
