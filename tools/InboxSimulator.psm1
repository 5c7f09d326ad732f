# Starts and stops the bundled Exchange simulator as its own process, for the demo, the Pester suites and the
# benchmarks. The simulator prints one JSON line when it is ready; closing its standard input stops it.

# An HttpClient that trusts exactly the simulator's CA, as an admin trusts an internal CA. Compiled, because
# a certificate callback runs on a thread with no PowerShell runspace.
if (-not ('InboxPS.Tests.SimulatorTrust' -as [type])) {
Add-Type -TypeDefinition @'
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace InboxPS.Tests
{
    public static class SimulatorTrust
    {
        public static HttpClient CreateClient(string caCertificatePath)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
            var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
                {
                    using var custom = new X509Chain();
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    custom.ChainPolicy.CustomTrustStore.Add(ca);
                    return certificate is not null && custom.Build(certificate);
                },
            };
            return new HttpClient(handler);
        }
    }
}
'@
}

function Start-InboxSimulator {
    <#
    .SYNOPSIS
        Starts tests/InboxPS.Simulator (already built into -SimulatorPath) and returns its connection details.
    .OUTPUTS
        The simulator's JSON line as an object, plus a Process property for Stop-InboxSimulator.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $SimulatorPath,
        [string[]] $ArgumentList = @(),
        [int] $TimeoutSeconds = 60
    )

    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.ArgumentList.Add($SimulatorPath)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $false
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)

    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) -or -not $line.Result) {
        if (-not $process.HasExited) { $process.Kill($true) }
        throw "The Exchange simulator did not report ready within $TimeoutSeconds s (exit code: $(if ($process.HasExited) { $process.ExitCode } else { 'still running' }))."
    }

    $simulator = $line.Result | ConvertFrom-Json
    $simulator | Add-Member -NotePropertyName Process -NotePropertyValue $process
    return $simulator
}

function Stop-InboxSimulator {
    <# .SYNOPSIS Stops a simulator started by Start-InboxSimulator: closes its input, then kills it if it lingers. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Simulator)
    process {
        $process = $Simulator.Process
        if (-not $process.HasExited) {
            $process.StandardInput.Close()
            if (-not $process.WaitForExit(10000)) { $process.Kill($true) }
        }
        $process.Dispose()
    }
}

function Invoke-SimulatorControl {
    <# .SYNOPSIS Calls the simulator's control API (JSON over HTTPS, trusted through its CA file). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $Path,
        [ValidateSet('Get', 'Post', 'Put', 'Delete')] [string] $Method = 'Get',
        $Body
    )
    $client = [InboxPS.Tests.SimulatorTrust]::CreateClient($Simulator.caCertificatePath)
    try {
        $uri = [Uri]::new([Uri]$Simulator.controlUrl, $Path.TrimStart('/'))
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method.ToUpperInvariant()), $uri)
        if ($PSBoundParameters.ContainsKey('Body')) {
            $request.Content = [System.Net.Http.StringContent]::new(($Body | ConvertTo-Json -Depth 10 -Compress), [System.Text.Encoding]::UTF8, 'application/json')
        }
        $response = $client.Send($request)
        $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        if (-not $response.IsSuccessStatusCode) {
            throw "Simulator control $Method $Path failed: $([int]$response.StatusCode) $text"
        }
        if ($text) { return $text | ConvertFrom-Json }
    }
    finally {
        $client.Dispose()
    }
}

Export-ModuleMember -Function Start-InboxSimulator, Stop-InboxSimulator, Invoke-SimulatorControl
