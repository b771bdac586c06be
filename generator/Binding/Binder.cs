using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Common;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

/// <summary>
/// Gives the syntax its meaning: evaluates expressions, expands blocks and repeats, infers every
/// shape, counts parameters and MACs, and reports what is wrong where it is written.
/// </summary>
public sealed partial class Binder
{
    /// <summary>Most copies one repeat may make.</summary>
    public const int MaxRepeat = 10_000;

    /// <summary>Most modules one network may expand to (a network of this size is far beyond any published one).</summary>
    public const int MaxModules = 200_000;

    /// <summary>Deepest nesting of block calls, groups and connections.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most classes (networks and variants) one file generates: each is a C# class the compiler must build.</summary>
    public const int MaxClasses = 1_000;

    private readonly string _text;
    private readonly DiagnosticBag _diagnostics;
    private readonly Evaluator _evaluator;
    private readonly Dictionary<string, BlockSyntax> _blocks = new(StringComparer.Ordinal);

    /// <summary>
    /// Each block's parameter names as argument matching wants them, and how many names its scope holds
    /// (parameters and lets): made once per file, not per call.
    /// </summary>
    private readonly Dictionary<string, (IReadOnlyList<(string Name, string? Alias)> Parameters, int ScopeSize)> _blockSignatures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recursiveBlocks = new(StringComparer.Ordinal);

    /// <summary>
    /// Each block's parameters and lets that its text uses (beyond defining them): the ones a call records in its module's
    /// <see cref="ModuleModel.Bindings"/>. An unused let then changes no model, and no generated code.
    /// </summary>
    private readonly Dictionary<string, HashSet<string>> _blockReferences = new(StringComparer.Ordinal);
    private int _modules;
    private int _depth;
    private bool _aborted;

    private readonly WorkBudget _budget;
    private bool _classLimitReported;

    private Binder(string text, DiagnosticBag diagnostics, WorkBudget budget)
    {
        _text = text;
        _diagnostics = diagnostics;
        _budget = budget;
        _evaluator = new Evaluator(text, diagnostics, budget);
        diagnostics.Chain = _calls.Describe;
    }

    /// <summary>The class and block calls being expanded, which diagnostics raised inside a block name.</summary>
    private readonly CallPath _calls = new();

    /// <summary>
    /// Binds every network and variant of a file. Networks with errors are left out. With a
    /// <paramref name="cache"/>, networks whose text is unchanged since the file's last compile are reused
    /// rather than bound again (not when the file has syntax errors, whose recovery may reach across definitions).
    /// </summary>
    /// <param name="budget">The file's work budget (it also carries the compiler's cancellation).</param>
    public static ImmutableArray<NetworkModel> Bind(FileSyntax file, string text, string path, string @namespace, DiagnosticBag diagnostics, WorkBudget budget, NetworkCache? cache = null)
    {
        var binder = new Binder(text, diagnostics, budget);
        if (cache is null || diagnostics.Count > 0)
        {
            return binder.BindFile(file, path, @namespace, blocks: null);
        }

        var blocks = NetworkKey.BlocksFingerprint(file);
        var previous = cache.Previous(path);
        binder._reused = previous?.Networks;
        binder._reusedModules = previous is not null && previous.Blocks == blocks ? previous.Modules : null;
        binder._kept = new Dictionary<NetworkKey, NetworkModel>();
        binder._keptModules = new Dictionary<BlockCallKey, BlockModule>();
        var networks = binder.BindFile(file, path, @namespace, blocks);
        cache.Store(path, new FileGeneration(binder._kept, blocks, binder._keptModules));
        return networks;
    }

    /// <summary>The networks of the file's last compile (null: bind everything).</summary>
    private IReadOnlyDictionary<NetworkKey, NetworkModel>? _reused;

    /// <summary>The block modules of the file's last compile, if its blocks are unchanged since.</summary>
    private IReadOnlyDictionary<BlockCallKey, BlockModule>? _reusedModules;

    /// <summary>The networks of this compile that bound without a diagnostic, for the next one (null: no cache).</summary>
    private Dictionary<NetworkKey, NetworkModel>? _kept;

    /// <summary>The block modules of this compile made without a diagnostic, for the next one (null: no cache).</summary>
    private Dictionary<BlockCallKey, BlockModule>? _keptModules;

    private SourceText? _source;

    /// <summary>The 1-based line of a position; the line table is built once, on first need.</summary>
    private int LineOf(int position) => (_source ??= SourceText.From(_text)).Lines.GetLineFromPosition(position).LineNumber + 1;

    /// <param name="blocks">The blocks' fingerprint when a cache is in use (null: none).</param>
    private ImmutableArray<NetworkModel> BindFile(FileSyntax file, string path, string @namespace, string? blocks)
    {
        if (file.Namespace is { } declared)
        {
            if (!CSharpNames.IsValidNamespace(declared.Text))
            {
                _diagnostics.InvalidIdentifier(declared.Span, declared.Text, "a namespace", "each part must be a C# identifier that is not a keyword");
            }
            else if (CSharpNames.NamespaceProblem(declared.Text) is { } problem)
            {
                _diagnostics.InvalidIdentifier(declared.Span, declared.Text, "a namespace", problem);
            }
            else
            {
                @namespace = declared.Text;
            }
        }

        // Generated file names (hint names) ignore case, so class names must differ in more than case.
        var classes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var block in file.Definitions.OfType<BlockSyntax>())
        {
            if (block.Name.IsMissing)
            {
                continue;
            }

            if (_blocks.TryGetValue(block.Name.Text, out var first))
            {
                _diagnostics.DuplicateName(block.Name.Span, "block", block.Name.Text, LineOf(first.Name.Span.Start));
            }
            else if (LayerCatalog.TryGet(block.Name.Text, out _))
            {
                _diagnostics.InvalidIdentifier(block.Name.Span, block.Name.Text, "a block name", "it is a built-in layer");
            }
            else
            {
                _blocks.Add(block.Name.Text, block);
                var parameters = block.Parameters.Where(p => !p.Name.IsMissing).Select(p => (p.Name.Text, (string?)null)).ToList();
                _blockSignatures.Add(block.Name.Text, (parameters, parameters.Count + block.Body.Statements.OfType<LetStatementSyntax>().Count()));
                _blockReferences.Add(block.Name.Text, ReferencedNames(file, block));
            }
        }

        FindRecursion();
        CheckCallees(file);

        var networks = ImmutableArray.CreateBuilder<NetworkModel>();
        foreach (var network in file.Definitions.OfType<NetworkSyntax>())
        {
            if (_budget.Exhausted)
            {
                // Reported once, where the budget ran out; the rest of the file is not bound.
                break;
            }

            if (!ClaimClassName(network.Name, @namespace, classes))
            {
                continue;
            }

            var variants = new List<VariantSyntax>();
            foreach (var variant in network.Variants)
            {
                if (ClaimClassName(variant.Name, @namespace, classes))
                {
                    variants.Add(variant);
                }
            }

            var baseStart = _diagnostics.Count;
            var model = BindOrReuse(file, new NetworkInputs(network, null, path, @namespace), blocks);
            if (_budget.Exhausted)
            {
                // Spent inside an expression, which reports nothing itself.
                ReportBudget(network.Name.Span);
                break;
            }

            if (model is not null)
            {
                networks.Add(model);
            }

            var baseErrors = new HashSet<(string, string, TextSpan)>(_diagnostics.Items.Skip(baseStart).Select(e => e.Key));
            foreach (var variant in variants)
            {
                var variantStart = _diagnostics.Count;
                var variantModel = BindOrReuse(file, new NetworkInputs(network, variant, path, @namespace), blocks);
                if (variantModel is not null)
                {
                    networks.Add(variantModel);
                }

                // Errors the base network shares are reported once, where they are written (the printed
                // diagnostic counts the classes that met it); errors only this variant's values cause are
                // reported at the variant's line, which is what to change.
                foreach (var error in _diagnostics.TakeFrom(variantStart))
                {
                    var line = LineOf(error.Span.Start);
                    if (line == LineOf(variant.Name.Span.Start) || baseErrors.Contains(error.Key))
                    {
                        _diagnostics.Restore(error);
                    }
                    else
                    {
                        _diagnostics.InVariant(variant.Name.Span, variant.Name.Text, error, line);
                    }
                }
            }
        }

        return networks.ToImmutable();
    }

    /// <summary>
    /// The network of <paramref name="inputs"/> from the last compile if its key is there; else binds it,
    /// and keeps it if it bound cleanly. <paramref name="blocks"/> is null when no cache is in use.
    /// </summary>
    private NetworkModel? BindOrReuse(FileSyntax file, NetworkInputs inputs, string? blocks)
    {
        if (blocks is null)
        {
            return BindClass(inputs);
        }

        var key = NetworkKey.For(file, inputs, blocks);
        if (_reused is not null && _reused.TryGetValue(key, out var reused))
        {
            _kept![key] = reused;
            return reused;
        }

        var before = _diagnostics.Count;
        var model = BindClass(inputs);
        if (model is not null && _diagnostics.Count == before)
        {
            _kept![key] = model;
        }

        return model;
    }

    /// <summary>Binds one class, which the diagnostics its block expansions raise then name.</summary>
    private NetworkModel? BindClass(NetworkInputs inputs)
    {
        _calls.ClassName = inputs.ClassName;
        try
        {
            return BindNetwork(inputs);
        }
        finally
        {
            _calls.ClassName = null;
            _calls.Restore(0);
        }
    }

    private bool ClaimClassName(Token name, string @namespace, Dictionary<string, int> classes)
    {
        if (name.IsMissing)
        {
            return false;
        }

        if (CSharpNames.ClassNameProblem(name.Text, @namespace) is { } problem)
        {
            _diagnostics.InvalidIdentifier(name.Span, name.Text, "a class name", problem);
            return false;
        }

        if (classes.Count >= MaxClasses)
        {
            if (!_classLimitReported)
            {
                _diagnostics.TooManyClasses(name.Span, MaxClasses);
                _classLimitReported = true;
            }

            return false;
        }

        if (classes.TryGetValue(name.Text, out var first))
        {
            var original = _text.Substring(first, name.Text.Length);
            if (original == name.Text)
            {
                _diagnostics.DuplicateName(name.Span, "network", name.Text, LineOf(first));
            }
            else
            {
                _diagnostics.DuplicateIgnoringCase(name.Span, "network", name.Text, original, LineOf(first));
            }

            return false;
        }

        classes.Add(name.Text, name.Span.Start);
        return true;
    }

    // Networks -----------------------------------------------------------------------------

    /// <summary>Binds one network or variant from its inputs (and the file's blocks) alone: see <see cref="NetworkInputs"/>.</summary>
    private NetworkModel? BindNetwork(NetworkInputs inputs)
    {
        var (network, variant, path, @namespace) = inputs;
        var className = inputs.ClassName;
        var errorsBefore = _diagnostics.Count;
        _modules = 0;
        _aborted = false;
        var overrides = variant is null ? new Dictionary<string, (Value Value, TextSpan Span)>() : VariantOverrides(network, variant);

        var scope = new Scope(null);
        var parameters = ImmutableArray.CreateBuilder<ParameterModel>();
        var csharpNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in network.Parameters)
        {
            var bound = BindNetworkParameter(network, parameter, overrides, csharpNames, scope);
            if (bound is not null)
            {
                parameters.Add(bound);
            }
        }

        // Top-level lets are compile-time constants; evaluate them first so 'input' can use them.
        foreach (var let in network.Body.Statements.OfType<LetStatementSyntax>())
        {
            var value = overrides.TryGetValue(let.Name.Text, out var replaced) ? replaced.Value : _evaluator.Evaluate(let.Value, scope);
            DefineLet(scope, let, value);
        }

        if (network.Input is null)
        {
            _diagnostics.MissingInput(network.Name.Span, network.Name.Text);
            return null;
        }

        var input = BindInput(network.Input, scope);
        if (input is not { } inputShape)
        {
            return null;
        }

        var networkScope = new Scope(scope, inputShape);
        var current = inputShape;
        var entries = BindStatements(network.Body.Statements, networkScope, ref current, networkLevel: true);
        if (entries is null || _diagnostics.Count > errorsBefore)
        {
            return null;
        }

        if (Finalize(entries, reservedName: null) is not { } children)
        {
            return null;
        }

        if (entries.FirstOrDefault(e => e.Module is LayerModel { Spec.Role: LayerRole.Parameter }) is { } bareTensor)
        {
            // The generated class registers modules, not bare tensors; a container registers them (NetGen.Scale).
            _diagnostics.Misplaced(bareTensor.Span, $"'{((LayerModel)bareTensor.Module).Kind}' directly in a network", "a learnable tensor belongs to a block, group or connection (as ConvNeXt's layer_scale belongs to its CNBlock)");
            return null;
        }

        if (BindTaps(network, scope, children) is not { } taps)
        {
            return null;
        }

        try
        {
            var parameterCount = children.Aggregate(0L, (sum, c) => SafeMath.Add(sum, c.Module.Parameters));
            // MACs are those of forward: auxiliary heads run only in training (ForwardWithAuxiliary).
            var macs = children.Where(c => c.Role != ChildRole.Auxiliary).Aggregate(0L, (sum, c) => SafeMath.Add(sum, c.Module.Macs));
            return new NetworkModel(className, @namespace, path, network.Doc, parameters.ToEquatableArray(), inputShape, current, parameterCount, macs, children.ToEquatableArray())
            {
                Taps = taps,
            };
        }
        catch (OverflowException)
        {
            _diagnostics.Overflow(network.Name.Span, $"the parameter or MAC count of '{className}'");
            return null;
        }
    }

    private Dictionary<string, (Value Value, TextSpan Span)> VariantOverrides(NetworkSyntax network, VariantSyntax variant)
    {
        var known = network.Parameters.Select(p => p.Name.Text)
            .Concat(network.Body.Statements.OfType<LetStatementSyntax>().Select(l => l.Name.Text))
            .ToList();
        var result = new Dictionary<string, (Value, TextSpan)>(StringComparer.Ordinal);
        foreach (var argument in variant.Arguments)
        {
            if (argument.Name is not { } name)
            {
                _diagnostics.UnexpectedToken(argument.Span, "a positional argument", "'name = value' (a variant names what it changes)");
                continue;
            }

            if (!known.Contains(name.Text))
            {
                _diagnostics.UnknownArgument(name.Span, variant.Name.Text, name.Text, known);
                continue;
            }

            if (result.ContainsKey(name.Text))
            {
                _diagnostics.DuplicateArgument(name.Span, variant.Name.Text, name.Text);
                continue;
            }

            var value = _evaluator.Evaluate(argument.Value, new Scope(null));
            if (!value.IsError)
            {
                result.Add(name.Text, (value, argument.Span));
            }
        }

        return result;
    }

    private ParameterModel? BindNetworkParameter(
        NetworkSyntax network,
        ParameterSyntax parameter,
        Dictionary<string, (Value Value, TextSpan Span)> overrides,
        Dictionary<string, string> csharpNames,
        Scope scope)
    {
        var name = parameter.Name.Text;
        if (parameter.Name.IsMissing)
        {
            return null;
        }

        if (scope.IsDefinedHere(name))
        {
            _diagnostics.DuplicateName(parameter.Name.Span, "parameter", name, LineOf(network.Name.Span.Start));
            return null;
        }

        // A parameter in error is defined as an error, which its uses pass on silently: one mistake, one diagnostic.
        if (parameter.Default is null)
        {
            _diagnostics.MissingDefault(parameter.Name.Span, network.Name.Text, name);
            scope.Define(name, Value.Error);
            return null;
        }

        var value = _evaluator.Evaluate(parameter.Default, new Scope(null));
        if (overrides.TryGetValue(name, out var replaced) && !value.IsError)
        {
            // A variant keeps the parameter's type: 'dropout = 0' still makes a float parameter.
            var original = value;
            value = original.Kind == ValueKind.Float && replaced.Value.Kind == ValueKind.Int ? Value.Float(replaced.Value.Integer) : replaced.Value;
            if (value.Kind != original.Kind)
            {
                _diagnostics.ArgumentType(replaced.Span, network.Name.Text, name, "a " + original.TypeName, value.Describe);
                scope.Define(name, Value.Error);
                return null;
            }
        }

        value = CheckDeclaredType(parameter, value, network.Name.Text);
        if (value.IsError)
        {
            scope.Define(name, Value.Error);
            return null;
        }

        if (value.Kind is not (ValueKind.Int or ValueKind.Float or ValueKind.Bool))
        {
            _diagnostics.ArgumentType(parameter.Default.Span, network.Name.Text, name, "an int, float or bool", value.Describe);
            scope.Define(name, Value.Error);
            return null;
        }

        var csharp = CSharpNames.ParameterName(name);
        if (csharpNames.TryGetValue(csharp, out var other))
        {
            _diagnostics.InvalidIdentifier(parameter.Name.Span, name, "a parameter name", $"it becomes the C# parameter '{csharp}', as '{other}' does");
            scope.Define(name, Value.Error);
            return null;
        }

        csharpNames.Add(csharp, name);
        var constant = value with { Dynamic = null, DependsOn = null };
        scope.Define(name, constant with { Dynamic = new RuntimeParameter(name, csharp), DependsOn = name });
        return new ParameterModel(name, csharp, constant);
    }

    private Value CheckDeclaredType(ParameterSyntax parameter, Value value, string owner)
    {
        if (parameter.Type is not { } type || value.IsError)
        {
            return value;
        }

        switch (type.Text)
        {
            case "int" when value.Kind == ValueKind.Int:
            case "float" when value.Kind == ValueKind.Float:
            case "bool" when value.Kind == ValueKind.Bool:
                return value;
            case "float" when value.Kind == ValueKind.Int:
                return Value.Float(value.Integer, value.Dynamic is null ? null : new RuntimeCall("float", value.Dynamic), value.DependsOn);
            case "int":
            case "float":
            case "bool":
                _diagnostics.ArgumentType(parameter.Default?.Span ?? parameter.Name.Span, owner, parameter.Name.Text, (type.Text == "int" ? "an " : "a ") + type.Text, value.Describe);
                return Value.Error;
            default:
                _diagnostics.InvalidIdentifier(type.Span, type.Text, "a type", "the types are int, float and bool");
                return Value.Error;
        }
    }

    private void DefineLet(Scope scope, LetStatementSyntax let, Value value)
    {
        if (scope.DefinedAt(let.Name.Text) is { } first)
        {
            _diagnostics.DuplicateName(let.Name.Span, "name", let.Name.Text, LineOf(System.Math.Max(first, 0)));
        }

        scope.Define(let.Name.Text, value, let.Name.Span.Start);
    }

    private Shape? BindInput(InputSyntax input, Scope scope)
    {
        var values = new List<long>();
        foreach (var dimension in input.Dimensions)
        {
            var value = _evaluator.Evaluate(dimension, scope);
            if (value.IsError)
            {
                return null;
            }

            if (value.IsDynamic)
            {
                _diagnostics.NotConstant(dimension.Span, "the input shape", value.DependsOn!);
                return null;
            }

            if (value.Kind != ValueKind.Int || value.Integer < 1)
            {
                _diagnostics.InvalidValue(dimension.Span, "an input dimension", "a positive int", value.Describe);
                return null;
            }

            values.Add(value.Integer);
        }

        switch (values.Count)
        {
            case 3:
                return Shape.Spatial(values[0], values[1], values[2]);
            case 1:
                return Shape.Flat(values[0]);
            default:
                _diagnostics.InvalidValue(input.Span, "the input shape", "channels x height x width (e.g. 3x224x224) or a feature count", $"{values.Count} dimensions");
                return null;
        }
    }

    // Recursion ----------------------------------------------------------------------------

    /// <summary>
    /// Reports every cycle in the block call graph at the call that closes it (a DFS back edge), and marks
    /// the blocks of every strongly connected component that holds a cycle as recursive (Tarjan). Iterative:
    /// a chain of 100,000 blocks must not overflow the compiler's stack.
    /// </summary>
    private void FindRecursion()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var pathPosition = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        var component = new Stack<string>();
        var onComponent = new HashSet<string>(StringComparer.Ordinal);
        var calledSelf = new HashSet<string>(StringComparer.Ordinal);
        var frames = new Stack<(string Name, IEnumerator<CallItemSyntax> Calls)>();
        foreach (var root in _blocks.Keys.OrderBy(n => _blocks[n].Name.Span.Start))
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            Enter(root);
            while (frames.Count > 0)
            {
                var (name, calls) = frames.Peek();
                if (calls.MoveNext())
                {
                    var call = calls.Current;
                    var callee = call.Callee.Text;
                    if (!_blocks.ContainsKey(callee))
                    {
                        continue;
                    }

                    if (!index.ContainsKey(callee))
                    {
                        Enter(callee);
                        continue;
                    }

                    if (pathPosition.TryGetValue(callee, out var position))
                    {
                        _diagnostics.Recursion(call.Callee.Span, CycleText(path, position, callee));
                        if (callee == name)
                        {
                            calledSelf.Add(name);
                        }

                        low[name] = Math.Min(low[name], index[callee]);
                    }
                    else if (onComponent.Contains(callee))
                    {
                        low[name] = Math.Min(low[name], index[callee]);
                    }

                    continue;
                }

                calls.Dispose();
                frames.Pop();
                path.RemoveAt(path.Count - 1);
                pathPosition.Remove(name);
                if (frames.Count > 0)
                {
                    var parent = frames.Peek().Name;
                    low[parent] = Math.Min(low[parent], low[name]);
                }

                if (low[name] == index[name])
                {
                    var members = new List<string>();
                    string member;
                    do
                    {
                        member = component.Pop();
                        onComponent.Remove(member);
                        members.Add(member);
                    }
                    while (member != name);

                    if (members.Count > 1 || calledSelf.Contains(name))
                    {
                        _recursiveBlocks.UnionWith(members);
                    }
                }
            }
        }

        void Enter(string name)
        {
            index[name] = low[name] = index.Count;
            component.Push(name);
            onComponent.Add(name);
            pathPosition[name] = path.Count;
            path.Add(name);
            frames.Push((name, CallsIn(_blocks[name].Body).GetEnumerator()));
        }
    }

    /// <summary>"A -> B -> A"; a long cycle shows its ends only, so reporting it stays cheap.</summary>
    private static string CycleText(List<string> path, int start, string callee)
    {
        const int Shown = 4;
        var length = path.Count - start;
        var names = length <= 2 * Shown
            ? path.Skip(start)
            : path.Skip(start).Take(Shown).Append($"… {length - (2 * Shown)} more …").Concat(path.Skip(path.Count - Shown));
        return string.Join(" -> ", names.Append(callee));
    }

    /// <summary>The names a block's tokens hold more often than its parameter list and its lets define them.</summary>
    private static HashSet<string> ReferencedNames(FileSyntax file, BlockSyntax block)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = block.Tokens.Start; i < block.Tokens.End && i < file.Tokens.Count; i++)
        {
            if (file.Tokens[i].Kind == TokenKind.Identifier)
            {
                counts[file.Tokens[i].Text] = counts.TryGetValue(file.Tokens[i].Text, out var count) ? count + 1 : 1;
            }
        }

        foreach (var defined in block.Parameters.Select(p => p.Name.Text).Concat(block.Body.Statements.OfType<LetStatementSyntax>().Select(l => l.Name.Text)))
        {
            if (counts.TryGetValue(defined, out var count))
            {
                counts[defined] = count - 1;
            }
        }

        return new HashSet<string>(counts.Where(c => c.Value > 0).Select(c => c.Key), StringComparer.Ordinal);
    }

    private static IEnumerable<CallItemSyntax> CallsIn(BodySyntax body)
    {
        foreach (var statement in body.Statements.OfType<ItemStatementSyntax>())
        {
            foreach (var call in CallsIn(statement.Item))
            {
                yield return call;
            }
        }
    }

    private static IEnumerable<CallItemSyntax> CallsIn(ItemSyntax item)
    {
        switch (item)
        {
            case CallItemSyntax call:
                yield return call;
                break;
            case GroupItemSyntax group:
                foreach (var call in CallsIn(group.Body))
                {
                    yield return call;
                }

                break;
            case DenseItemSyntax dense:
                foreach (var call in CallsIn(dense.Body))
                {
                    yield return call;
                }

                break;
            case ConcatItemSyntax concat:
                foreach (var call in CallsIn(concat.Body))
                {
                    yield return call;
                }

                break;
            case GateItemSyntax gate:
                foreach (var call in CallsIn(gate.Body))
                {
                    yield return call;
                }

                break;
            case AuxItemSyntax aux:
                yield return aux.Head;
                break;
            case ResidualItemSyntax residual:
                foreach (var call in CallsIn(residual.Body))
                {
                    yield return call;
                }

                if (residual.Shortcut is { } shortcut)
                {
                    foreach (var call in CallsIn(shortcut.Item))
                    {
                        yield return call;
                    }
                }

                break;
        }
    }
}
