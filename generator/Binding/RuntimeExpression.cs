using System.Linq;
using NetGen.Generator.Common;

namespace NetGen.Generator.Binding;

/// <summary>
/// A value a generated class computes when it is built, because it depends on a constructor parameter
/// (<c>classes</c>, <c>width * 4</c>, <c>make_divisible(32 * width_mult, 8)</c>). The binder records the
/// expression as a tree; each emitter writes it in its own language, with the DSL's semantics: <c>/</c>
/// gives a float, <c>//</c> and <c>%</c> round toward negative infinity, <c>round</c> halves to even.
/// Records: equal trees compare equal, as the pipeline's cached models need.
/// </summary>
public abstract record RuntimeExpression
{
    /// <summary>The value itself when it is computed at run time, else the constant.</summary>
    public static RuntimeExpression Of(Value value) => value.Dynamic ?? new RuntimeConstant(value);

    /// <summary>The C# expression (fully qualified, so it compiles in any namespace).</summary>
    public abstract string ToCSharp();

    /// <summary>The Python expression; it may call <c>math</c> and the runtime module's <c>make_divisible</c>.</summary>
    public abstract string ToPython();

    /// <summary>The C#: diagnostics quote it.</summary>
    public sealed override string ToString() => ToCSharp();
}

/// <summary>A constructor parameter of the network.</summary>
public sealed record RuntimeParameter(string DslName, string CSharpName) : RuntimeExpression
{
    public override string ToCSharp() => CSharpName;

    public override string ToPython() => PythonNames.Parameter(DslName);
}

/// <summary>A constant operand of a computed value.</summary>
public sealed record RuntimeConstant(Value Value) : RuntimeExpression
{
    public override string ToCSharp() => Value.ToCSharp();

    public override string ToPython() => Value.ToPython();
}

/// <summary>A name an emitter chose for a value that varies between calls (a block class's constructor parameter), written as is.</summary>
public sealed record RuntimeName(string Text) : RuntimeExpression
{
    public override string ToCSharp() => Text;

    public override string ToPython() => Text;
}

/// <summary>The operators of computed values.</summary>
public enum RuntimeOperator
{
    Negate,
    Not,
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Add,
    Subtract,
    Multiply,

    /// <summary>The DSL's <c>/</c>: always a float.</summary>
    Divide,

    /// <summary>The DSL's <c>//</c>: floored.</summary>
    FloorDivide,

    /// <summary>The DSL's <c>%</c>: the sign of the divisor.</summary>
    Modulo,

    /// <summary>The DSL's <c>**</c> on a computed value: a float.</summary>
    Power,
}

/// <summary><c>-x</c> or <c>not x</c>.</summary>
public sealed record RuntimeUnary(RuntimeOperator Operator, RuntimeExpression Operand) : RuntimeExpression
{
    public override string ToCSharp() => (Operator == RuntimeOperator.Not ? "!" : "-") + Operand.ToCSharp();

    public override string ToPython() => Operator == RuntimeOperator.Not ? $"(not {Operand.ToPython()})" : "-" + Operand.ToPython();
}

/// <summary>A binary operation; <see cref="Floats"/>: an operand is a float (C# then divides, floors and takes remainders as doubles).</summary>
public sealed record RuntimeBinary(RuntimeOperator Operator, RuntimeExpression Left, RuntimeExpression Right, bool Floats) : RuntimeExpression
{
    public override string ToCSharp()
    {
        var l = Left.ToCSharp();
        var r = Right.ToCSharp();
        return Operator switch
        {
            RuntimeOperator.Divide => $"((double){l} / {r})",
            RuntimeOperator.FloorDivide => Floats ? $"global::System.Math.Floor((double){l} / {r})" : $"global::NetGen.DslMath.FloorDiv({l}, {r})",
            RuntimeOperator.Modulo => Floats ? $"global::NetGen.DslMath.Mod((double){l}, (double){r})" : $"global::NetGen.DslMath.Mod({l}, {r})",
            RuntimeOperator.Power => $"global::System.Math.Pow({l}, {r})",
            _ => $"({l} {CSharpSymbol} {r})",
        };
    }

    public override string ToPython()
    {
        var l = Left.ToPython();
        var r = Right.ToPython();
        return Operator switch
        {
            // C# floors the quotient of doubles; Python's float // can differ from that in the last bit.
            RuntimeOperator.FloorDivide when Floats => $"float(math.floor({l} / {r}))",
            RuntimeOperator.Power => $"math.pow({l}, {r})",
            _ => $"({l} {PythonSymbol} {r})",
        };
    }

    private string CSharpSymbol => Operator switch
    {
        RuntimeOperator.And => "&&",
        RuntimeOperator.Or => "||",
        _ => Symbol,
    };

    private string PythonSymbol => Operator switch
    {
        RuntimeOperator.And => "and",
        RuntimeOperator.Or => "or",
        RuntimeOperator.Divide => "/",
        RuntimeOperator.FloorDivide => "//",
        RuntimeOperator.Modulo => "%",
        _ => Symbol,
    };

    private string Symbol => Operator switch
    {
        RuntimeOperator.Equal => "==",
        RuntimeOperator.NotEqual => "!=",
        RuntimeOperator.Less => "<",
        RuntimeOperator.LessEqual => "<=",
        RuntimeOperator.Greater => ">",
        RuntimeOperator.GreaterEqual => ">=",
        RuntimeOperator.Add => "+",
        RuntimeOperator.Subtract => "-",
        _ => "*",
    };
}

/// <summary><c>whenTrue if condition else whenFalse</c>; <see cref="Floats"/>: the result is a float.</summary>
public sealed record RuntimeConditional(RuntimeExpression Condition, RuntimeExpression WhenTrue, RuntimeExpression WhenFalse, bool Floats) : RuntimeExpression
{
    public override string ToCSharp() => $"({Condition.ToCSharp()} ? {(Floats ? "(double)" : string.Empty)}{WhenTrue.ToCSharp()} : {WhenFalse.ToCSharp()})";

    public override string ToPython()
    {
        var choice = $"{WhenTrue.ToPython()} if {Condition.ToPython()} else {WhenFalse.ToPython()}";
        return Floats ? $"float({choice})" : $"({choice})";
    }
}

/// <summary>
/// One of the DSL's functions (<c>ceil</c>, <c>make_divisible</c>, …) on computed arguments; <see cref="Floats"/>:
/// <c>min</c> and <c>max</c> of mixed ints and floats give a float.
/// </summary>
public sealed record RuntimeCall(string Function, EquatableArray<RuntimeExpression> Arguments, bool Floats = false) : RuntimeExpression
{
    public RuntimeCall(string function, params RuntimeExpression[] arguments)
        : this(function, arguments.ToEquatableArray())
    {
    }

    public override string ToCSharp()
    {
        var a = Arguments.Select(x => x.ToCSharp()).ToList();
        switch (Function)
        {
            case "min":
            case "max":
                var method = Function == "min" ? "Min" : "Max";
                return a.Aggregate((x, y) => $"global::System.Math.{method}({(Floats ? "(double)" + x : x)}, {y})");
            case "int":
                return $"((long){a[0]})";
            case "float":
                return $"((double){a[0]})";
            case "log" when a.Count == 2:
                return $"(global::System.Math.Log({a[0]}) / global::System.Math.Log({a[1]}))";
            case "ceil":
            case "floor":
            case "round":
            case "make_divisible":
                return $"global::NetGen.DslMath.{DslMathName}({string.Join(", ", a)})";
            default:
                return $"global::System.Math.{char.ToUpperInvariant(Function[0])}{Function.Substring(1)}({string.Join(", ", a)})";
        }
    }

    public override string ToPython()
    {
        var call = $"{PythonFunction}({string.Join(", ", Arguments.Select(x => x.ToPython()))})";
        return Floats ? $"float({call})" : call;
    }

    private string DslMathName => Function == "make_divisible" ? "MakeDivisible" : char.ToUpperInvariant(Function[0]) + Function.Substring(1);

    private string PythonFunction => Function switch
    {
        "ceil" or "floor" or "sqrt" or "log" or "exp" => "math." + Function,
        "make_divisible" => PythonNames.RuntimeAlias + ".make_divisible",
        _ => Function,
    };
}
