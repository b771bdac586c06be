using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Common;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// Matches a call's arguments to parameters by position or name (or alias) and evaluates them in the
    /// caller's scope. Slot i belongs to parameter i and stays empty when not given. One array, not
    /// dictionaries: the binder matches thousands of calls per file, each against a handful of parameters.
    /// </summary>
    private BoundArgument[]? BindArguments(CallItemSyntax call, IReadOnlyList<(string Name, string? Alias)> parameters, Scope scope)
    {
        var callee = call.Callee.Text;
        var bound = new BoundArgument[parameters.Count];
        var ok = true;
        var seenNamed = false;
        for (var index = 0; index < call.Arguments.Length; index++)
        {
            var argument = call.Arguments[index];
            int target;
            if (argument.Name is { } name)
            {
                seenNamed = true;
                target = IndexOfParameter(parameters, name.Text);
                if (target < 0)
                {
                    _diagnostics.UnknownArgument(name.Span, callee, name.Text, parameters.Select(p => p.Alias is null ? p.Name : $"{p.Name} ({p.Alias})"));
                    ok = false;
                    continue;
                }
            }
            else if (seenNamed)
            {
                _diagnostics.PositionalAfterNamed(argument.Span);
                ok = false;
                continue;
            }
            else if (index >= parameters.Count)
            {
                _diagnostics.TooManyArguments(argument.Span, callee, parameters.Count, call.Arguments.Count(a => a.Name is null));
                ok = false;
                break;
            }
            else
            {
                target = index;
            }

            if (bound[target].Value is not null)
            {
                _diagnostics.DuplicateArgument(argument.Span, callee, parameters[target].Name);
                ok = false;
                continue;
            }

            var value = _evaluator.Evaluate(argument.Value, scope);
            if (value.IsError)
            {
                ok = false;
                continue;
            }

            bound[target] = new BoundArgument(value, argument.Value.Span);
        }

        return ok ? bound : null;
    }

    private static int IndexOfParameter(IReadOnlyList<(string Name, string? Alias)> parameters, string name)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Name == name || parameters[i].Alias == name)
            {
                return i;
            }
        }

        return -1;
    }

    // Layers -------------------------------------------------------------------------------

    private LayerModel? BindLayer(CallItemSyntax call, LayerSpec spec, Scope scope, ref Shape current)
    {
        var bound = BindArguments(call, spec.Parameters, scope);
        if (bound is null)
        {
            return null;
        }

        var ok = true;
        for (var i = 0; i < spec.Arguments.Count; i++)
        {
            var argument = spec.Arguments[i];
            if (bound[i].Value is not { } value)
            {
                if (argument.Default is { } fallback)
                {
                    bound[i] = new BoundArgument(fallback, default);
                }
                else if (!argument.Optional)
                {
                    _diagnostics.MissingArgument(call.Span, spec.Name, argument.Display);
                    ok = false;
                }

                continue;
            }

            var converted = Convert(value, argument, spec.Name, bound[i].Span);
            ok &= !converted.IsError;
            bound[i] = new BoundArgument(converted, bound[i].Span);
        }

        if (!ok || !CountModule(call.Span))
        {
            return null;
        }

        var result = spec.Infer(new LayerCall(spec, current, call.Span, bound, _diagnostics));
        if (result is null)
        {
            return null;
        }

        var input = current;
        current = result.Output;
        return new LayerModel(spec, result.Arguments.ToEquatableArray(), input, result.Output, result.Parameters, result.Macs);
    }

    private Value Convert(Value value, ArgumentSpec argument, string layer, TextSpan span)
    {
        if (value.IsDynamic && !argument.AllowDynamic)
        {
            _diagnostics.NotConstant(span, $"'{argument.Name}' of '{layer}'", value.DependsOn ?? "?");
            return Value.Error;
        }

        var accepted = argument.Type switch
        {
            ArgumentType.Int => value.Kind == ValueKind.Int,
            ArgumentType.Float => value.Kind is ValueKind.Float or ValueKind.Int,
            ArgumentType.Bool => value.Kind == ValueKind.Bool,
            ArgumentType.IntOrPair => value.Kind is ValueKind.Int or ValueKind.Pair,
            _ => value.Kind is ValueKind.Int or ValueKind.Pair || (value.Kind == ValueKind.Symbol && value.Symbol is "same" or "valid"),
        };
        if (!accepted)
        {
            var expected = argument.Type switch
            {
                ArgumentType.Int => value.Kind == ValueKind.Float ? "an int (use round(), floor() or ceil())" : "an int",
                ArgumentType.Float => "a number",
                ArgumentType.Bool => "true or false",
                ArgumentType.IntOrPair => "an int or a pair such as (1, 7)",
                _ => "an int, a pair such as (0, 3), same or valid",
            };
            _diagnostics.ArgumentType(span, layer, argument.Name, expected, value.Describe);
            return Value.Error;
        }

        return argument.Type == ArgumentType.Float && value.Kind == ValueKind.Int
            ? Value.Float(value.Integer, value.Dynamic, value.DependsOn)
            : value;
    }

    // Blocks -------------------------------------------------------------------------------

    /// <summary>A block call as one module: a sequence of the block's statements (or its one unnamed statement).</summary>
    private ModuleModel? BindBlockCall(CallItemSyntax call, Scope scope, ref Shape current)
    {
        var input = current;
        if (BindBlockArguments(call, scope, input) is not { } bound)
        {
            return null;
        }

        // The same call in the file's last compile, when no block has changed since: its module as it was.
        // Not where it would cross the module limit: binding it afresh reports that at the right layer.
        if (_reusedModules is not null && _reusedModules.TryGetValue(bound.Key, out var reused) && _modules + UseCost(reused) <= MaxModules)
        {
            CountModule(call.Span, UseCost(reused));
            _keptModules![bound.Key] = reused;
            current = reused.Module.Output;
            return reused.Module;
        }

        var diagnosticsBefore = _diagnostics.Count;
        var mark = _calls.Mark;
        _calls.EnterBlock(call.Callee.Text);
        Expansion? expansion;
        try
        {
            expansion = Expand(bound.Block, bound.Scope, bound.Key, call.Span, ref current);
            if (expansion is { Module: null })
            {
                // A block of one unnamed statement is that statement's module (so a residual block's layers are
                // direct children, as in torchvision's Bottleneck); otherwise its statements form a sequence. A
                // block call keeps its own level even alone: nn.Sequential(Conv2dNormActivation(...)) has keys
                // '0.0.weight', and adopting the inner block would silently drop that level.
                var made = expansion.Entries;
                var origin = call.Callee.Text;
                var used = _blockReferences[bound.Block.Name.Text];
                var bindings = bound.Scope.Own
                    .Where(b => b.Value.Kind is ValueKind.Int or ValueKind.Float or ValueKind.Bool && used.Contains(b.Name))
                    .Select(b => new LayerArgument(b.Name, b.Value))
                    .ToEquatableArray();
                if (made.Count == 1 && made[0].Name is null && !made[0].BlockCall)
                {
                    expansion.Module = WithOrigin(made[0].Module, origin, bindings);
                }
                else if (Finalize(made, reservedName: null) is { } children)
                {
                    expansion.Module = Sequence(children, origin, input, current) with { Bindings = bindings };
                }
                else
                {
                    expansion = null;
                }
            }
        }
        finally
        {
            _calls.Restore(mark);
        }

        if (expansion?.Module is null)
        {
            return null;
        }

        // Every use of a block builds its sequence anew at run time: it counts as a module each time.
        if (expansion.Module is SequenceModel && !CountModule(call.Span))
        {
            return null;
        }

        if (_keptModules is not null && _diagnostics.Count == diagnosticsBefore && !_keptModules.ContainsKey(bound.Key))
        {
            _keptModules.Add(bound.Key, new BlockModule(expansion.Module, expansion.Modules));
        }

        return expansion.Module;
    }

    /// <summary>Modules one more use of a block builds: its expansion's, and its own sequence if it has one.</summary>
    private static int UseCost(BlockModule block) => block.Modules + (block.Module is SequenceModel ? 1 : 0);

    /// <summary>A spliced block call: the block's statements, bound or reused from an earlier identical call.</summary>
    private Expansion? ExpandBlock(CallItemSyntax call, Scope scope, ref Shape current)
    {
        if (BindBlockArguments(call, scope, current) is not { } bound)
        {
            return null;
        }

        var mark = _calls.Mark;
        _calls.EnterBlock(call.Callee.Text);
        try
        {
            return Expand(bound.Block, bound.Scope, bound.Key, call.Span, ref current);
        }
        finally
        {
            _calls.Restore(mark);
        }
    }

    /// <summary>Binds a block call's arguments: the block's scope with its parameters defined, and the key of the call.</summary>
    private (BlockSyntax Block, Scope Scope, BlockCallKey Key)? BindBlockArguments(CallItemSyntax call, Scope scope, Shape input)
    {
        if (!Step(call.Span))
        {
            return null;
        }

        if (!_blocks.TryGetValue(call.Callee.Text, out var block) || _recursiveBlocks.Contains(block.Name.Text))
        {
            // Unknown callees were reported by CheckCallees, recursion by FindRecursion.
            return null;
        }

        var bound = BindArguments(call, _blockSignatures[block.Name.Text].Parameters, scope);
        if (bound is null)
        {
            return null;
        }

        // Defaults and declared types are the block's own text: errors there name the call that met them.
        var mark = _calls.Mark;
        _calls.EnterBlock(block.Name.Text);
        try
        {
            return BindBlockParameters(call, block, bound, input, mark);
        }
        finally
        {
            _calls.Restore(mark);
        }
    }

    /// <param name="caller">The call path's mark at the call: a missing argument is the caller's error.</param>
    private (BlockSyntax Block, Scope Scope, BlockCallKey Key)? BindBlockParameters(CallItemSyntax call, BlockSyntax block, BoundArgument[] bound, Shape input, int caller)
    {
        var blockScope = new Scope(null, input, _blockSignatures[block.Name.Text].ScopeSize);
        var arguments = new Value[bound.Length];
        var slot = 0;
        foreach (var parameter in block.Parameters)
        {
            if (parameter.Name.IsMissing)
            {
                continue;
            }

            if (blockScope.IsDefinedHere(parameter.Name.Text))
            {
                _diagnostics.DuplicateName(parameter.Name.Span, "parameter", parameter.Name.Text, LineOf(block.Name.Span.Start));
                return null;
            }

            Value value;
            if (bound[slot].Value is { } given)
            {
                value = given;
            }
            else if (parameter.Default is { } fallback)
            {
                value = _evaluator.Evaluate(fallback, blockScope);
            }
            else
            {
                _calls.Restore(caller);
                _diagnostics.MissingArgument(call.Span, block.Name.Text, parameter.Name.Text);
                return null;
            }

            value = CheckDeclaredType(parameter, value, block.Name.Text);
            if (value.IsError)
            {
                return null;
            }

            blockScope.Define(parameter.Name.Text, value);
            arguments[slot++] = value;
        }

        return (block, blockScope, new BlockCallKey(block.Name.Text, input, arguments));
    }

    /// <summary>
    /// Expands a block's body in its bound scope, or reuses the expansion of an earlier call in this
    /// compile with the same key. Leaves <paramref name="current"/> at the block's output.
    /// </summary>
    private Expansion? Expand(BlockSyntax block, Scope blockScope, BlockCallKey key, TextSpan callSpan, ref Shape current)
    {
        var input = current;
        if (!_expansions.TryGetValue(key, out var expansion))
        {
            var modulesBefore = _modules;
            var shape = input;
            var entries = BindStatements(block.Body.Statements, blockScope, ref shape);
            if (entries is null)
            {
                return null;
            }

            expansion = new Expansion(entries, _modules - modulesBefore);
            _expansions.Add(key, expansion);
        }
        else if (!CountModule(callSpan, expansion.Modules))
        {
            return null;
        }

        var made = expansion.Entries;
        current = made.Count > 0 ? made[made.Count - 1].Module.Output : input;
        return expansion;
    }

    private static ModuleModel WithOrigin(ModuleModel module, string origin, EquatableArray<LayerArgument> bindings) => module switch
    {
        SequenceModel sequence => sequence with { Origin = origin, Bindings = bindings },
        ResidualModel residual => residual with { Origin = origin, Bindings = bindings },
        DenseModel dense => dense with { Origin = origin, Bindings = bindings },
        ConcatModel concat => concat with { Origin = origin, Bindings = bindings },
        GateModel gate => gate with { Origin = origin, Bindings = bindings },
        _ => module,
    };

    // Static checks ------------------------------------------------------------------------

    /// <summary>Reports every call to an unknown layer or block, in used and unused code alike.</summary>
    private void CheckCallees(FileSyntax file)
    {
        var known = LayerCatalog.All.Select(s => s.Name).Concat(_blocks.Keys).ToList();
        foreach (var definition in file.Definitions)
        {
            foreach (var call in CallsIn(definition.Body))
            {
                var name = call.Callee.Text;
                if (call.Callee.IsMissing || LayerCatalog.TryGet(name, out _) || _blocks.ContainsKey(name))
                {
                    continue;
                }

                _diagnostics.UnknownLayer(call.Callee.Span, name, Closest(name, known));
            }
        }
    }

    private static string? Closest(string name, IEnumerable<string> candidates)
    {
        // Suggestions are for typos in names of ordinary length; the distance is quadratic in the lengths.
        const int LongestName = 64;
        string? best = null;
        var bestDistance = Math.Max(2, name.Length / 3) + 1;
        if (name.Length > LongestName)
        {
            return null;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Length > LongestName || Math.Abs(candidate.Length - name.Length) >= bestDistance)
            {
                continue;
            }

            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                row[j] = Math.Min(Math.Min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, row) = (row, previous);
        }

        return previous[b.Length];
    }
}
