using System.Diagnostics;

namespace AgentQuotas.Cli.Tests;

/// <summary>Renders a local HTML file to PNG with headless Chromium (Debian's chromium package; .ci/setup.sh installs it).</summary>
internal static class HeadlessBrowser
{
    public static string FindChromium()
    {
        string? configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (string? candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Chromium is not installed: run .ci/setup.sh (it installs Debian's chromium package) or set CHROMIUM_PATH.");
    }

    public static async Task<PngImage> ScreenshotAsync(string htmlPath, int width, int height)
    {
        string profile = Directory.CreateTempSubdirectory("aq-chromium").FullName;
        string png = Path.Combine(profile, "shot.png");
        try
        {
            var start = new ProcessStartInfo(FindChromium())
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (string arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
                $"--window-size={width},{height}", "--screenshot=" + png, new Uri(htmlPath).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            if (!File.Exists(png))
            {
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode} and wrote no screenshot: {await stderr}{await stdout}");
            }

            return PngImage.Decode(await File.ReadAllBytesAsync(png));
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
