using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace AgentQuotas.Generators.Integration;

/// <summary>
/// The package works for a consumer with no AgentQuotas-specific csproj lines: eng/verify-package.sh packs
/// the already-built runtime, generator and analyzers into a local feed, builds a consumer from it and runs
/// it, checking that interceptors are enabled, agentquotas.json is an AdditionalFile and calls are guarded.
/// </summary>
public sealed class PackageTests
{
    [Fact]
    public async Task The_packed_package_guards_a_consumer_with_no_extra_project_lines()
    {
        string root = RepositoryRoot();
        string configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "eng", "verify-package.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["CONFIGURATION"] = configuration;
        start.Environment["NO_BUILD"] = "1";
        // The test host's MSBuild settings must not leak into the nested builds.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(name);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // A hang guard, not a speed check: the script restores and builds a consumer of every package, which
        // took over 3 minutes on a 2-core machine at a load average of 40 while the rest of the suite ran.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("eng/verify-package.sh did not finish in 15 minutes.");
        }

        string output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("denied: BucketExhausted", output);
        Assert.Contains("verify-package: OK", output);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "")
    {
        string? dir = Path.GetDirectoryName(path);
        while (dir is not null && !File.Exists(Path.Combine(dir, "Directory.Build.props")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
