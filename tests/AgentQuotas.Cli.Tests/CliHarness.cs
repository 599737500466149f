namespace AgentQuotas.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it writes.</summary>
internal static class CliHarness
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await AgentQuotasCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("aq-cli").FullName;

    public string File(string name, string content)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
