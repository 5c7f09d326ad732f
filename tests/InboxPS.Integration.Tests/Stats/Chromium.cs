using System.Diagnostics;

namespace InboxPS.Integration.Tests.Stats;

/// <summary>
/// Debian's chromium, headless, for what is meant to be looked at: installed with apt-get when missing and this runs as
/// root (CI machines), else the test is skipped saying so. Its output lands in out/test-artifacts.
/// </summary>
public static class Chromium
{
    private static readonly Lazy<string?> s_path = new(FindOrInstall);

    public static string? Path => s_path.Value;

    public static string ArtifactFolder()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(System.IO.Path.Combine(root, "InboxPS.sln")))
        {
            root = System.IO.Path.GetDirectoryName(root);
        }

        var folder = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "out", "test-artifacts", "stats");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The DOM after the page's scripts ran.</summary>
    public static string DumpDom(string file, string query = "") =>
        Run("--dump-dom", new Uri(file).AbsoluteUri + query);

    public static void Screenshot(string file, string png) =>
        Run($"--screenshot={png}", "--window-size=1280,1600", new Uri(file).AbsoluteUri);

    private static string Run(params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("stats-chromium-");
        try
        {
            var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("chromium is not installed."))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile.FullName}" }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium did not finish within 60 s.");
            }

            return output.GetAwaiter().GetResult();
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? FindOrInstall()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            // A fresh machine has no package lists yet ("Unable to locate package"): read them once, then try again.
            AptGet("install -y -qq chromium");
            if (!File.Exists("/usr/bin/chromium"))
            {
                AptGet("update -qq");
                AptGet("install -y -qq chromium");
            }

            return File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
        }

        return null;
    }

    private static void AptGet(string arguments)
    {
        using var aptGet = Process.Start(new ProcessStartInfo("/usr/bin/apt-get", arguments)
        {
            Environment = { ["DEBIAN_FRONTEND"] = "noninteractive" },
        })!;
        aptGet.WaitForExit();
    }
}
