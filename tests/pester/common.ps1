# Dot-sourced by every *.Tests.ps1 in BeforeAll: where the built module is, and helpers shared by the suites.

$script:ModuleManifest = $env:INBOXPS_TEST_MANIFEST
if (-not $script:ModuleManifest) {
    throw 'Run the Pester suites through ./build.ps1 -Task Test: it builds the module and tells the tests where it is.'
}
$script:RepoRoot = $env:INBOXPS_TEST_REPO

function New-TestStoreHome {
    # A private INBOXPS_HOME, so a suite never touches the user's real store.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("inboxps-pester-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $path
    return $path
}

function Invoke-FreshPwsh {
    # Runs a script block's text in a new pwsh process with the built module imported; returns its output lines.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $prelude = "`$ErrorActionPreference = 'Stop'; Import-Module '$script:ModuleManifest';"
    $saved = @{}
    foreach ($key in $Environment.Keys) {
        $saved[$key] = [Environment]::GetEnvironmentVariable($key)
        [Environment]::SetEnvironmentVariable($key, $Environment[$key])
    }
    try {
        $pwsh = (Get-Process -Id $PID).Path
        $arguments = @()
        if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') {
            # Running as the local .NET tool: 'dotnet pwsh' from the repository root.
            Push-Location $script:RepoRoot
            $arguments = @('pwsh')
        }
        else {
            Push-Location $script:RepoRoot
        }
        $output = & $pwsh @arguments -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1
        return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }
    finally {
        Pop-Location
        foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
    }
}
