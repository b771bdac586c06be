using NetGen.Generator.Binding;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Syntax;
using Xunit;

namespace NetGen.Generator.Tests;

public class EvaluatorTests
{
    private static (Value Value, DiagnosticBag Diagnostics) Evaluate(string text, Scope? scope = null)
    {
        var diagnostics = new DiagnosticBag();
        var expression = Parser.ParseExpression(text, diagnostics);
        var value = new Evaluator(text, diagnostics).Evaluate(expression, scope ?? new Scope(null));
        return (value, diagnostics);
    }

    [Theory]
    [InlineData("1 + 2 * 3", "int 7")]
    [InlineData("(1 + 2) * 3", "int 9")]
    [InlineData("2 ** 3 ** 2", "int 512")]
    [InlineData("-2 ** 2", "int -4")]
    [InlineData("7 / 2", "float 3.5")]
    [InlineData("7 // 2", "int 3")]
    [InlineData("-7 // 2", "int -4")]
    [InlineData("-7 % 3", "int 2")]
    [InlineData("7.5 // 2", "float 3.0")]
    [InlineData("1 < 2 and 2 <= 2", "bool true")]
    [InlineData("not 1 == 1 or 3 != 3", "bool false")]
    [InlineData("1 == 1.0", "bool true")]
    [InlineData("0 == 0 ? 2 : 1", "int 2")]
    [InlineData("min(3, 1, 2)", "int 1")]
    [InlineData("max(2, 2.5)", "float 2.5")]
    [InlineData("ceil(2.1)", "int 3")]
    [InlineData("floor(-2.1)", "int -3")]
    [InlineData("round(2.5)", "int 2")]
    [InlineData("round(3.5)", "int 4")]
    [InlineData("int(2.9)", "int 2")]
    [InlineData("float(2)", "float 2.0")]
    [InlineData("abs(-4)", "int 4")]
    [InlineData("sqrt(16)", "float 4.0")]
    [InlineData("log(8, 2)", "float 3.0")]
    [InlineData("exp(0)", "float 1.0")]
    [InlineData("round(log(538.08 / 24) / log(2.54))", "int 3")]
    [InlineData("(1, 7)", "pair (1, 7)")]
    [InlineData("same", "symbol same")]
    public void Expressions_evaluate_with_python_semantics(string text, string expected)
    {
        var (value, diagnostics) = Evaluate(text);
        Assert.Empty(diagnostics.Items);
        Assert.Equal(expected, value.Describe);
    }

    [Theory]
    [InlineData("make_divisible(32 * 1.1, 8)", 32)]
    [InlineData("make_divisible(16 * 1.4, 8)", 24)]
    [InlineData("make_divisible(40 * 4.3, 8)", 176)]
    [InlineData("make_divisible(1280 * 4.3, 8)", 5504)]
    [InlineData("make_divisible(3, 8)", 8)]
    [InlineData("make_divisible(10, 8)", 16)]
    [InlineData("make_divisible(12, 8, 16)", 16)]
    public void Make_divisible_rounds_to_the_nearest_multiple_but_never_below_ninety_percent(string text, long expected)
    {
        var (value, diagnostics) = Evaluate(text);
        Assert.Empty(diagnostics.Items);
        Assert.Equal(expected, value.Integer);
    }

    [Theory]
    [InlineData("1 / 0", "NG0402")]
    [InlineData("1 // 0", "NG0402")]
    [InlineData("true + 1", "NG0401")]
    [InlineData("1 and true", "NG0401")]
    [InlineData("1 ? 2 : 3", "NG0401")]
    [InlineData("9223372036854775807 + 1", "NG0303")]
    [InlineData("2 ** 64", "NG0303")]
    [InlineData("frobnicate(1)", "NG0404")]
    [InlineData("min(1)", "NG0403")]
    [InlineData("sqrt(-1)", "NG0403")]
    [InlineData("log(0)", "NG0403")]
    [InlineData("log(8, 1)", "NG0403")]
    [InlineData("exp(1000)", "NG0303")]
    [InlineData("undefined_name", "NG0102")]
    [InlineData("(1, 2, 3)", "NG0401")]
    public void Bad_expressions_are_reported_not_thrown(string text, string code)
    {
        var (value, diagnostics) = Evaluate(text);
        Assert.True(value.IsError);
        Assert.Equal(code, Assert.Single(diagnostics.Items).Descriptor.Id);
    }

    [Fact]
    public void A_value_computed_from_a_constructor_parameter_carries_its_csharp_and_python_expressions()
    {
        var scope = new Scope(null);
        scope.Define("num_classes", Value.Int(1000, new RuntimeParameter("num_classes", "numClasses"), "num_classes"));
        var (value, diagnostics) = Evaluate("num_classes * 2 + 1", scope);
        Assert.Empty(diagnostics.Items);
        Assert.Equal(2001, value.Integer);
        Assert.Equal("((numClasses * 2) + 1)", value.ToCSharp());
        Assert.Equal("((num_classes * 2) + 1)", value.ToPython());
        Assert.Equal("num_classes", value.DependsOn);
    }

    [Theory]
    [InlineData("w // 3", "global::NetGen.DslMath.FloorDiv(w, 3)", "(w // 3)")]
    [InlineData("w / 3", "((double)w / 3)", "(w / 3)")]
    [InlineData("w % 3", "global::NetGen.DslMath.Mod(w, 3)", "(w % 3)")]
    [InlineData("f // 2", "global::System.Math.Floor((double)f / 2)", "float(math.floor(f / 2))")]
    [InlineData("w ** 2", "global::System.Math.Pow(w, 2)", "math.pow(w, 2)")]
    [InlineData("w > 2 and not b", "((w > 2) && !b)", "((w > 2) and (not b))")]
    [InlineData("b ? w : 2.5", "(b ? (double)w : 2.5)", "float(w if b else 2.5)")]
    [InlineData("max(w, f)", "global::System.Math.Max((double)w, f)", "float(max(w, f))")]
    [InlineData("round(f * w)", "global::NetGen.DslMath.Round((f * w))", "round((f * w))")]
    [InlineData("make_divisible(w * f, 8)", "global::NetGen.DslMath.MakeDivisible((w * f), 8)", "ng.make_divisible((w * f), 8)")]
    [InlineData("log(f, 2) + sqrt(f) - exp(-f)", "(((global::System.Math.Log(f) / global::System.Math.Log(2)) + global::System.Math.Sqrt(f)) - global::System.Math.Exp(-f))", "((math.log(f, 2) + math.sqrt(f)) - math.exp(-f))")]
    [InlineData("int(f) + abs(-w)", "(((long)f) + global::System.Math.Abs(-w))", "(int(f) + abs(-w))")]
    public void A_computed_value_is_written_in_each_target_language(string text, string csharp, string python)
    {
        var scope = new Scope(null);
        scope.Define("w", Value.Int(4, new RuntimeParameter("w", "w"), "w"));
        scope.Define("f", Value.Float(1.5, new RuntimeParameter("f", "f"), "f"));
        scope.Define("b", Value.Bool(true, new RuntimeParameter("b", "b"), "b"));
        var (value, diagnostics) = Evaluate(text, scope);
        Assert.Empty(diagnostics.Items);
        Assert.Equal(csharp, value.ToCSharp());
        Assert.Equal(python, value.ToPython());
    }

    [Fact]
    public void Deeply_nested_expressions_are_reported_instead_of_overflowing_the_stack()
    {
        var text = new string('(', 5000) + "1" + new string(')', 5000);
        var (_, diagnostics) = Evaluate(text);
        Assert.Contains(diagnostics.Items, d => d.Descriptor.Id == "NG0302");
    }
}
