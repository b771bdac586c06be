using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Common;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

/// <summary>
/// Evaluates expressions at compile time. Ints are 64-bit and overflow is reported; <c>/</c> gives a
/// float and <c>//</c>, <c>%</c>, <c>round</c> follow Python. A value that depends on a constructor
/// parameter is computed for its default and also carries the expression that recomputes it.
/// </summary>
public sealed class Evaluator
{
    private static readonly string[] Functions = { "abs", "ceil", "exp", "float", "floor", "int", "log", "make_divisible", "max", "min", "round", "sqrt" };

    private readonly DiagnosticBag _diagnostics;
    private readonly string _text;
    private readonly WorkBudget _budget;

    public Evaluator(string text, DiagnosticBag diagnostics, WorkBudget? budget = null)
    {
        _text = text;
        _diagnostics = diagnostics;
        _budget = budget ?? new WorkBudget(default);
    }

    private string TextOf(ExpressionSyntax expression) => _text.Substring(expression.Span.Start, expression.Span.Length);

    /// <summary>The value of <paramref name="expression"/>; an error value once the file's work budget is spent (the binder reports that).</summary>
    public Value Evaluate(ExpressionSyntax expression, Scope scope) => !_budget.Spend() ? Value.Error : expression switch
    {
        LiteralExpressionSyntax literal => Literal(literal.Token),
        NameExpressionSyntax name => Name(name, scope),
        InShapeExpressionSyntax member => InShape(member, scope),
        UnaryExpressionSyntax unary => Unary(unary, scope),
        BinaryExpressionSyntax binary => Binary(binary, scope),
        ConditionalExpressionSyntax conditional => Conditional(conditional, scope),
        CallExpressionSyntax call => Call(call, scope),
        TupleExpressionSyntax tuple => Tuple(tuple, scope),
        _ => Value.Error,
    };

    private static Value Literal(Token token) => token.Kind switch
    {
        TokenKind.TrueKeyword => Value.True,
        TokenKind.FalseKeyword => Value.False,
        TokenKind.Float => Value.Float(double.Parse(token.Text, System.Globalization.CultureInfo.InvariantCulture)),
        _ => long.TryParse(token.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? Value.Int(n)
            : Value.Error,
    };

    private Value Name(NameExpressionSyntax name, Scope scope)
    {
        var text = name.Name.Text;
        if (scope.TryLookup(text, out var value))
        {
            return value;
        }

        if (text is "same" or "valid")
        {
            return Value.SymbolValue(text);
        }

        if (text.Length > 0)
        {
            _diagnostics.UnknownName(name.Span, text, scope.Names);
        }

        return Value.Error;
    }

    private Value InShape(InShapeExpressionSyntax member, Scope scope)
    {
        if (scope.Input is not { } input)
        {
            _diagnostics.UnknownName(member.Span, "in." + member.Member.Text, scope.Names);
            return Value.Error;
        }

        switch (member.Member.Text)
        {
            case "channels":
            case "c":
                return input.ChannelsValue;
            case "height":
            case "h":
                return input.IsFlat ? SpatialOfFlat(member, input) : Value.Int(input.Height);
            case "width":
            case "w":
                return input.IsFlat ? SpatialOfFlat(member, input) : Value.Int(input.Width);
            case "":
                return Value.Error;
            default:
                _diagnostics.UnknownName(member.Member.Span, "in." + member.Member.Text, new[] { "in.channels", "in.height", "in.width" });
                return Value.Error;
        }
    }

    private Value SpatialOfFlat(InShapeExpressionSyntax member, Shape input)
    {
        _diagnostics.NeedsSpatialInput(member.Span, "in." + member.Member.Text, input.ToString());
        return Value.Error;
    }

    private Value Unary(UnaryExpressionSyntax unary, Scope scope)
    {
        var operand = Evaluate(unary.Operand, scope);
        if (operand.IsError)
        {
            return operand;
        }

        switch (unary.Operator.Kind)
        {
            case TokenKind.NotKeyword when operand.Kind == ValueKind.Bool:
                return Value.Bool(!operand.AsBool, Dyn(operand, RuntimeOperator.Not), operand.DependsOn);
            case TokenKind.Minus when operand.Kind == ValueKind.Int && operand.Integer != long.MinValue:
                return Value.Int(-operand.Integer, Dyn(operand, RuntimeOperator.Negate), operand.DependsOn);
            case TokenKind.Minus when operand.Kind == ValueKind.Float:
                return Value.Float(-operand.Number, Dyn(operand, RuntimeOperator.Negate), operand.DependsOn);
            case TokenKind.Plus when operand.Kind is ValueKind.Int or ValueKind.Float:
                return operand;
        }

        _diagnostics.OperatorType(unary.Span, unary.Operator.Text, operand.Describe,
            unary.Operator.Kind == TokenKind.NotKeyword ? "'not' takes a bool" : "signs apply to numbers");
        return Value.Error;
    }

    private static RuntimeExpression? Dyn(Value operand, RuntimeOperator op) =>
        operand.IsDynamic ? new RuntimeUnary(op, operand.Dynamic!) : null;

    private Value Binary(BinaryExpressionSyntax binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        var right = Evaluate(binary.Right, scope);
        if (left.IsError || right.IsError)
        {
            return Value.Error;
        }

        var op = binary.Operator.Kind;
        var dynamic = left.IsDynamic || right.IsDynamic;
        var dependsOn = left.DependsOn ?? right.DependsOn;
        // The expression that recomputes the result at run time, only when it depends on a parameter.
        RuntimeExpression? Runtime(RuntimeOperator runtimeOperator) =>
            dynamic ? new RuntimeBinary(runtimeOperator, RuntimeExpression.Of(left), RuntimeExpression.Of(right), left.Kind == ValueKind.Float || right.Kind == ValueKind.Float) : null;

        if (op is TokenKind.AndKeyword or TokenKind.OrKeyword)
        {
            if (left.Kind != ValueKind.Bool || right.Kind != ValueKind.Bool)
            {
                return OperatorError(binary, left, right, "'and' and 'or' take bools; compare numbers first (e.g. stride != 1)");
            }

            var isAnd = op == TokenKind.AndKeyword;
            var result = isAnd ? left.AsBool && right.AsBool : left.AsBool || right.AsBool;
            return Value.Bool(result, Runtime(isAnd ? RuntimeOperator.And : RuntimeOperator.Or), dependsOn);
        }

        if (op is TokenKind.EqualsEquals or TokenKind.BangEquals && left.Kind == ValueKind.Bool && right.Kind == ValueKind.Bool)
        {
            var equal = left.AsBool == right.AsBool;
            var isEq = op == TokenKind.EqualsEquals;
            return Value.Bool(isEq ? equal : !equal, Runtime(isEq ? RuntimeOperator.Equal : RuntimeOperator.NotEqual), dependsOn);
        }

        var numeric = left.Kind is ValueKind.Int or ValueKind.Float && right.Kind is ValueKind.Int or ValueKind.Float;
        if (!numeric)
        {
            return OperatorError(binary, left, right, "arithmetic and comparisons take ints and floats");
        }

        var ints = left.Kind == ValueKind.Int && right.Kind == ValueKind.Int;
        var a = left.AsDouble;
        var b = right.AsDouble;
        switch (op)
        {
            case TokenKind.Less: return Value.Bool(ints ? left.Integer < right.Integer : a < b, Runtime(RuntimeOperator.Less), dependsOn);
            case TokenKind.LessEquals: return Value.Bool(ints ? left.Integer <= right.Integer : a <= b, Runtime(RuntimeOperator.LessEqual), dependsOn);
            case TokenKind.Greater: return Value.Bool(ints ? left.Integer > right.Integer : a > b, Runtime(RuntimeOperator.Greater), dependsOn);
            case TokenKind.GreaterEquals: return Value.Bool(ints ? left.Integer >= right.Integer : a >= b, Runtime(RuntimeOperator.GreaterEqual), dependsOn);
            case TokenKind.EqualsEquals: return Value.Bool(ints ? left.Integer == right.Integer : a == b, Runtime(RuntimeOperator.Equal), dependsOn);
            case TokenKind.BangEquals: return Value.Bool(ints ? left.Integer != right.Integer : a != b, Runtime(RuntimeOperator.NotEqual), dependsOn);
        }

        if (op is TokenKind.Slash or TokenKind.SlashSlash or TokenKind.Percent && b == 0)
        {
            _diagnostics.DivisionByZero(binary.Span, TextOf(binary));
            return Value.Error;
        }

        try
        {
            checked
            {
                switch (op)
                {
                    case TokenKind.Plus:
                        return ints ? Value.Int(left.Integer + right.Integer, Runtime(RuntimeOperator.Add), dependsOn) : FloatResult(a + b, Runtime(RuntimeOperator.Add));
                    case TokenKind.Minus:
                        return ints ? Value.Int(left.Integer - right.Integer, Runtime(RuntimeOperator.Subtract), dependsOn) : FloatResult(a - b, Runtime(RuntimeOperator.Subtract));
                    case TokenKind.Star:
                        return ints ? Value.Int(left.Integer * right.Integer, Runtime(RuntimeOperator.Multiply), dependsOn) : FloatResult(a * b, Runtime(RuntimeOperator.Multiply));
                    case TokenKind.Slash:
                        return FloatResult(a / b, Runtime(RuntimeOperator.Divide));
                    case TokenKind.SlashSlash:
                        return ints
                            ? Value.Int(DslMath.FloorDiv(left.Integer, right.Integer), Runtime(RuntimeOperator.FloorDivide), dependsOn)
                            : FloatResult(Math.Floor(a / b), Runtime(RuntimeOperator.FloorDivide));
                    case TokenKind.Percent:
                        return ints
                            ? Value.Int(DslMath.Mod(left.Integer, right.Integer), Runtime(RuntimeOperator.Modulo), dependsOn)
                            : FloatResult(DslMath.Mod(a, b), Runtime(RuntimeOperator.Modulo));
                    case TokenKind.StarStar:
                        if (ints && right.Integer >= 0 && !dynamic)
                        {
                            return Value.Int(IntPower(left.Integer, right.Integer));
                        }

                        return FloatResult(Math.Pow(a, b), Runtime(RuntimeOperator.Power));
                }
            }
        }
        catch (OverflowException)
        {
            _diagnostics.Overflow(binary.Span, $"'{TextOf(binary)}'");
            return Value.Error;
        }

        return OperatorError(binary, left, right, "see docs/dsl.md for the operators");

        Value FloatResult(double value, RuntimeExpression? expression)
        {
            if (double.IsInfinity(value) || double.IsNaN(value))
            {
                _diagnostics.FloatOverflow(binary.Span, $"'{TextOf(binary)}'");
                return Value.Error;
            }

            return Value.Float(value, expression, dependsOn);
        }
    }

    private static long IntPower(long value, long exponent)
    {
        long result = 1;
        for (long i = 0; i < exponent; i++)
        {
            result = checked(result * value);
            if (result == 0 || result == 1 && value == 1)
            {
                break;
            }
        }

        return result;
    }

    private Value OperatorError(BinaryExpressionSyntax binary, Value left, Value right, string hint)
    {
        _diagnostics.OperatorType(binary.Operator.Span, binary.Operator.Text, $"{left.Describe} and {right.Describe}", hint);
        return Value.Error;
    }

    private Value Conditional(ConditionalExpressionSyntax conditional, Scope scope)
    {
        var condition = Evaluate(conditional.Condition, scope);
        if (condition.IsError)
        {
            return Value.Error;
        }

        if (condition.Kind != ValueKind.Bool)
        {
            _diagnostics.OperatorType(conditional.Condition.Span, "?:", condition.Describe, "the condition must be a bool (e.g. i == 0)");
            return Value.Error;
        }

        // Like C# and Python, only the chosen branch is evaluated when the condition is known.
        if (!condition.IsDynamic)
        {
            return Evaluate(condition.AsBool ? conditional.WhenTrue : conditional.WhenFalse, scope);
        }

        var whenTrue = Evaluate(conditional.WhenTrue, scope);
        var whenFalse = Evaluate(conditional.WhenFalse, scope);
        if (whenTrue.IsError || whenFalse.IsError)
        {
            return Value.Error;
        }

        var chosen = condition.AsBool ? whenTrue : whenFalse;

        var sameKind = whenTrue.Kind == whenFalse.Kind || (whenTrue.Kind is ValueKind.Int or ValueKind.Float && whenFalse.Kind is ValueKind.Int or ValueKind.Float);
        if (!sameKind || whenTrue.Kind is ValueKind.Pair or ValueKind.Symbol)
        {
            _diagnostics.NotConstant(conditional.Span, "a choice between values of different kinds", condition.DependsOn ?? whenTrue.DependsOn ?? whenFalse.DependsOn ?? "?");
            return Value.Error;
        }

        var isFloat = whenTrue.Kind == ValueKind.Float || whenFalse.Kind == ValueKind.Float;
        var expression = new RuntimeConditional(RuntimeExpression.Of(condition), RuntimeExpression.Of(whenTrue), RuntimeExpression.Of(whenFalse), isFloat);
        var dependsOn = condition.DependsOn ?? whenTrue.DependsOn ?? whenFalse.DependsOn;
        return chosen.Kind switch
        {
            ValueKind.Bool => Value.Bool(chosen.AsBool, expression, dependsOn),
            _ when isFloat => Value.Float(chosen.AsDouble, expression, dependsOn),
            _ => Value.Int(chosen.Integer, expression, dependsOn),
        };
    }

    private Value Tuple(TupleExpressionSyntax tuple, Scope scope)
    {
        var items = tuple.Items.Select(item => Evaluate(item, scope)).ToList();
        if (items.Any(i => i.IsError))
        {
            return Value.Error;
        }

        if (items.Count != 2 || items.Any(i => i.Kind != ValueKind.Int || i.IsDynamic))
        {
            _diagnostics.OperatorType(tuple.Span, "( , )", string.Join(", ", items.Select(i => i.Describe)),
                "a pair holds exactly two compile-time ints, as in k=(1, 7)");
            return Value.Error;
        }

        return Value.Pair(items[0].Integer, items[1].Integer);
    }

    private Value Call(CallExpressionSyntax call, Scope scope)
    {
        var name = call.Function.Text;
        if (Array.IndexOf(Functions, name) < 0)
        {
            _diagnostics.UnknownFunction(call.Function.Span, name, Functions);
            return Value.Error;
        }

        var arguments = new Value[call.Arguments.Length];
        var failed = false;
        var dynamic = false;
        string? dependsOn = null;
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = Evaluate(call.Arguments[i], scope);
            arguments[i] = argument;
            failed |= argument.IsError;
            dynamic |= argument.IsDynamic;
            dependsOn ??= argument.DependsOn;
        }

        if (failed)
        {
            return Value.Error;
        }

        if (arguments.Any(a => a.Kind is not (ValueKind.Int or ValueKind.Float)))
        {
            _diagnostics.FunctionArguments(call.Span, name, "numbers", Given());
            return Value.Error;
        }

        // The expression that recomputes the result at run time, only when it depends on a parameter.
        RuntimeExpression? Runtime(bool floats = false) =>
            dynamic ? new RuntimeCall(name, arguments.Select(RuntimeExpression.Of).ToEquatableArray(), floats) : null;
        try
        {
            switch (name)
            {
                case "min":
                case "max":
                    if (arguments.Length < 2)
                    {
                        break;
                    }

                    var allInts = arguments.All(a => a.Kind == ValueKind.Int);
                    var isMin = name == "min";
                    var best = arguments.Aggregate((x, y) => (isMin ? y.AsDouble < x.AsDouble : y.AsDouble > x.AsDouble) ? y : x);
                    var expression = Runtime(floats: !allInts);
                    return allInts
                        ? Value.Int(best.Integer, expression, dependsOn)
                        : Value.Float(best.AsDouble, expression, dependsOn);
                case "ceil" when arguments.Length == 1:
                    return Value.Int(DslMath.Ceil(arguments[0].AsDouble), Runtime(), dependsOn);
                case "floor" when arguments.Length == 1:
                    return Value.Int(DslMath.Floor(arguments[0].AsDouble), Runtime(), dependsOn);
                case "round" when arguments.Length == 1:
                    return Value.Int(DslMath.Round(arguments[0].AsDouble), Runtime(), dependsOn);
                case "int" when arguments.Length == 1:
                    return Value.Int(checked((long)arguments[0].AsDouble), Runtime(), dependsOn);
                case "float" when arguments.Length == 1:
                    return Value.Float(arguments[0].AsDouble, Runtime(), dependsOn);
                case "abs" when arguments.Length == 1:
                    return arguments[0].Kind == ValueKind.Int
                        ? Value.Int(checked(Math.Abs(arguments[0].Integer)), Runtime(), dependsOn)
                        : Value.Float(Math.Abs(arguments[0].Number), Runtime(), dependsOn);
                case "sqrt" when arguments.Length == 1:
                    if (arguments[0].AsDouble < 0)
                    {
                        _diagnostics.FunctionArguments(call.Span, name, "a number that is not negative", Given());
                        return Value.Error;
                    }

                    return Value.Float(Math.Sqrt(arguments[0].AsDouble), Runtime(), dependsOn);
                case "log" when arguments.Length is 1 or 2:
                    // log(x) natural, log(x, base) as Python's math.log.
                    var logBase = arguments.Length == 2 ? arguments[1].AsDouble : Math.E;
                    if (arguments[0].AsDouble <= 0 || logBase <= 0 || logBase == 1)
                    {
                        _diagnostics.FunctionArguments(call.Span, name, "a positive number (and a positive base other than 1)", Given());
                        return Value.Error;
                    }

                    return Value.Float(
                        arguments.Length == 2 ? Math.Log(arguments[0].AsDouble) / Math.Log(logBase) : Math.Log(arguments[0].AsDouble),
                        Runtime(),
                        dependsOn);
                case "exp" when arguments.Length == 1:
                    var power = Math.Exp(arguments[0].AsDouble);
                    if (double.IsInfinity(power))
                    {
                        throw new OverflowException();
                    }

                    return Value.Float(power, Runtime(), dependsOn);
                case "make_divisible" when arguments.Length is 2 or 3:
                    if (arguments[1].Kind != ValueKind.Int || arguments[1].Integer <= 0 || (arguments.Length == 3 && arguments[2].Kind != ValueKind.Int))
                    {
                        _diagnostics.FunctionArguments(call.Span, name, "(value, divisor [, min_value]) with a positive int divisor", Given());
                        return Value.Error;
                    }

                    var minValue = arguments.Length == 3 ? arguments[2].Integer : 0;
                    return Value.Int(
                        DslMath.MakeDivisible(arguments[0].AsDouble, arguments[1].Integer, minValue),
                        Runtime(),
                        dependsOn);
            }
        }
        catch (OverflowException)
        {
            _diagnostics.Overflow(call.Span, $"'{TextOf(call)}'");
            return Value.Error;
        }

        var expected = name switch
        {
            "min" or "max" => "two or more numbers",
            "make_divisible" => "(value, divisor [, min_value])",
            "log" => "(value [, base])",
            _ => "one number",
        };
        _diagnostics.FunctionArguments(call.Span, name, expected, Given());
        return Value.Error;

        string Given() => arguments.Length == 0 ? "no arguments" : string.Join(", ", arguments.Select(a => a.Describe));
    }
}
