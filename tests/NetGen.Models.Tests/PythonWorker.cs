using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>
/// One long-lived <see cref="PythonProcess.Interpreter"/> running a script's <c>serve</c> command, for tests that
/// run many short commands: importing torch costs about 2 s a process. A request is one line, the JSON array of
/// the script's arguments; the answer one line, <c>{"result": ...}</c> or <c>{"error": "traceback"}</c>. A
/// command that fails or times out fails the test with what the script printed; a timed-out or dead process is
/// replaced at the next call. Not thread-safe: one test class's tests run one at a time.
/// </summary>
public sealed class PythonWorker : IDisposable
{
    private const int KeptError = 4000;

    private readonly string _script;
    private readonly StringBuilder _error = new();
    private Process? _process;

    public PythonWorker(string script) => _script = script;

    /// <summary>Runs one command (the script's arguments); its JSON result.</summary>
    public JsonElement Call(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var process = _process ??= Start();
        lock (_error)
        {
            _error.Clear();
        }

        var request = JsonSerializer.Serialize(arguments);
        string? line;
        try
        {
            process.StandardInput.WriteLine(request);
            process.StandardInput.Flush();
            var read = process.StandardOutput.ReadLineAsync();
            if (!read.Wait(timeout))
            {
                Stop(kill: true);
                Assert.Fail($"{_script} {request} ran past {timeout}:\n{ErrorTail()}");
            }

            line = read.Result;
        }
        catch (IOException exception)
        {
            line = null;
            _error.AppendLine(exception.Message);
        }

        if (line is null)
        {
            Stop(kill: true);
            Assert.Fail($"{_script} ended during {request}:\n{ErrorTail()}");
        }

        var answer = JsonDocument.Parse(line).RootElement;
        if (answer.TryGetProperty("error", out var error))
        {
            Assert.Fail($"{_script} {request} failed:\n{error.GetString()}\n{ErrorTail()}");
        }

        return answer.GetProperty("result").Clone();
    }

    public void Dispose() => Stop(kill: false);

    private Process Start()
    {
        var process = PythonProcess.Start(PythonProcess.Interpreter, new[] { _script, "serve" }, input: true);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_error)
            {
                _error.AppendLine(e.Data);
                if (_error.Length > 2 * KeptError)
                {
                    _error.Remove(0, _error.Length - KeptError);
                }
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>What the script wrote to stderr during the current command (its prints, warnings, a crash).</summary>
    private string ErrorTail()
    {
        lock (_error)
        {
            var text = _error.ToString();
            return text.Length > KeptError ? text.Substring(text.Length - KeptError) : text;
        }
    }

    /// <summary>Ends the process: at once, or by closing its input (it finishes the loop) and killing it only if it lingers.</summary>
    private void Stop(bool kill)
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!kill)
            {
                _process.StandardInput.Close();
            }

            if (kill || !_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            // Already gone: nothing to stop.
        }

        _process.Dispose();
        _process = null;
    }
}
