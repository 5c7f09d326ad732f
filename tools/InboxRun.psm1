# Runs InboxPS the way an admin does, in a fresh pwsh process against the simulator process, for the soak campaign,
# the benchmarks and the security suite: the child trusts the simulator's CA (SSL_CERT_FILE), keeps a private store
# (INBOXPS_HOME), and reports what the caller needs on lines starting with '##'.

# Start-InboxSimulator and the CA-trusting HttpClient (InboxPS.Tests.SimulatorTrust) the control calls use.
Import-Module (Join-Path $PSScriptRoot 'InboxSimulator.psm1')

function Get-PwshCommand {
    # The pwsh running this script, started again without 'dotnet tool run' in between: a start-up measured through
    # the tool shim would time the shim too.
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet' -and (Test-Path $pwshDll)) {
        return @([Environment]::ProcessPath, $pwshDll)
    }
    return @([Environment]::ProcessPath)
}

function Start-PwshProcess {
    <#
    .SYNOPSIS
        Starts 'pwsh -NoProfile -NonInteractive -Command <Script>' with extra environment variables; standard output is
        redirected for the caller, standard error is collected in the background (StandardErrorText).
    #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $command = @(Get-PwshCommand)
    $info = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) {
        $info.ArgumentList.Add($argument)
    }
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string]$Environment[$key] }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    # Like a native command run from PowerShell: start in the current location, not the process's own directory.
    $info.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $process | Add-Member -NotePropertyName StandardErrorText -NotePropertyValue $process.StandardError.ReadToEndAsync()
    return $process
}

function New-RunHome {
    # A private INBOXPS_HOME (store and token caches) under the system temp folder.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-run-' + [guid]::NewGuid().ToString('N'))
    return (New-Item -ItemType Directory -Path $path).FullName
}

function Start-InboxRun {
    <#
    .SYNOPSIS
        Starts a fresh pwsh with the built module and $sim (the simulator's JSON line). Unless -NoConfigure,
        organization 'contoso' is configured for app-only OAuth over EWS against the simulator, and unless -NoConnect
        (or -NoConfigure) connected with its client secret. -NoConfigure leaves the organization as the store has it
        (configuring EWS for an organization on Graph would switch it, and a switch re-baselines its items). The
        script reports results with: Write-RunResult <object> (a '##result <json>' line).
    #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $ModuleManifest,
        [Parameter(Mandatory)] [string] $StoreHome,
        [Parameter(Mandatory)] [string] $Script,
        [switch] $NoConnect,
        [switch] $NoConfigure,
        [hashtable] $Environment = @{}
    )
    $prelude = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
`$sim = `$env:INBOXPS_RUN_SIMULATOR | ConvertFrom-Json
function Write-RunResult([Parameter(ValueFromPipeline)] `$Value) { process { '##result ' + (`$Value | ConvertTo-Json -Compress -Depth 6); [Console]::Out.Flush() } }

"@
    if (-not $NoConfigure) {
        $prelude += @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue

'@
    }
    if (-not $NoConnect -and -not $NoConfigure) {
        $prelude += @'
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
    -ClientSecret (ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force) -ServiceAccount $sim.firstMailbox

'@
    }
    $childEnvironment = @{
        SSL_CERT_FILE = $Simulator.caCertificatePath
        INBOXPS_HOME = $StoreHome
        INBOXPS_RUN_SIMULATOR = ($Simulator | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress)
    }
    foreach ($key in $Environment.Keys) { $childEnvironment[$key] = $Environment[$key] }
    # 'exit 0' at the end: pwsh -Command would otherwise exit 1 whenever the last pipeline wrote a non-terminating
    # error (a failed user); a terminating error still stops the script before it, with exit code 1.
    return Start-PwshProcess -Script ($prelude + $Script + "`nexit 0") -Environment $childEnvironment
}

function Wait-InboxRun {
    <#
    .SYNOPSIS
        Reads a run to its end. Returns ExitCode, Results (the '##result' objects), Lines (other '##' lines) and
        Output (the last lines of standard output and error, for failure messages). Throws when the run failed,
        unless -AllowFailure.
    #>
    param([Parameter(Mandatory)] [System.Diagnostics.Process] $Process, [switch] $AllowFailure)
    $results = [System.Collections.Generic.List[object]]::new()
    $lines = [System.Collections.Generic.List[string]]::new()
    $tail = [System.Collections.Generic.Queue[string]]::new()
    while ($null -ne ($line = $Process.StandardOutput.ReadLine())) {
        if ($line.StartsWith('##result ')) { $results.Add(($line.Substring(9) | ConvertFrom-Json)) }
        elseif ($line.StartsWith('##')) { $lines.Add($line) }
        else {
            $tail.Enqueue($line)
            if ($tail.Count -gt 40) { $null = $tail.Dequeue() }
        }
    }
    $Process.WaitForExit()
    $run = [pscustomobject]@{
        ExitCode = $Process.ExitCode
        Results  = $results.ToArray()
        Lines    = $lines.ToArray()
        Output   = (@($tail) + @($Process.StandardErrorText.GetAwaiter().GetResult())) -join "`n"
    }
    $Process.Dispose()
    if ($run.ExitCode -ne 0 -and -not $AllowFailure) {
        throw "The pwsh run failed with exit code $($run.ExitCode):`n$($run.Output)"
    }
    return $run
}

function Invoke-InboxRun {
    <# .SYNOPSIS Start-InboxRun and Wait-InboxRun in one. #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $ModuleManifest,
        [Parameter(Mandatory)] [string] $StoreHome,
        [Parameter(Mandatory)] [string] $Script,
        [switch] $NoConnect,
        [switch] $NoConfigure,
        [switch] $AllowFailure
    )
    $process = Start-InboxRun -Simulator $Simulator -ModuleManifest $ModuleManifest -StoreHome $StoreHome -Script $Script -NoConnect:$NoConnect -NoConfigure:$NoConfigure
    return Wait-InboxRun -Process $process -AllowFailure:$AllowFailure
}

function Get-StoreRows {
    <#
    .SYNOPSIS
        Reads tables of the InboxPS store under -StoreHome with the SQLite library the module ships, in a fresh pwsh
        (read-only; the module's own native-library loading is reused by opening the store once). One object per row.
    #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $ModuleManifest,
        [Parameter(Mandatory)] [string] $StoreHome,
        [Parameter(Mandatory)] [string] $Query
    )
    $output = Join-Path $StoreHome ('rows-' + [guid]::NewGuid().ToString('N') + '.json')
    $script = @"
`$null = Get-InboxOrganization
`$assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
`$path = Join-Path `$env:INBOXPS_HOME 'inboxps.db'
`$connection = [Activator]::CreateInstance(`$assembly.GetType('Microsoft.Data.Sqlite.SqliteConnection'), @("Data Source=`$path;Mode=ReadOnly;Pooling=False"))
`$connection.Open()
try {
    `$command = `$connection.CreateCommand()
    `$command.CommandText = @'
$Query
'@
    `$reader = `$command.ExecuteReader()
    `$rows = [System.Collections.Generic.List[object]]::new()
    while (`$reader.Read()) {
        `$row = [ordered]@{}
        for (`$i = 0; `$i -lt `$reader.FieldCount; `$i++) { `$row[`$reader.GetName(`$i)] = if (`$reader.IsDBNull(`$i)) { `$null } else { `$reader.GetValue(`$i) } }
        `$rows.Add([pscustomobject]`$row)
    }
    `$reader.Dispose()
    ConvertTo-Json -InputObject `$rows.ToArray() -Compress -Depth 3 | Set-Content -LiteralPath '$output'
}
finally { `$connection.Dispose() }
"@
    # -NoConfigure: reading must not switch an organization on Graph back to EWS (which re-baselines its items).
    $null = Invoke-InboxRun -Simulator $Simulator -ModuleManifest $ModuleManifest -StoreHome $StoreHome -Script $script -NoConfigure
    $rows = Get-Content -Raw -LiteralPath $output | ConvertFrom-Json
    Remove-Item -LiteralPath $output
    return $rows
}

function Get-SimulatorClient {
    # One HttpClient per simulator for many control calls (the soak's storms, the ground truth of 2,000 mailboxes).
    param([Parameter(Mandatory)] $Simulator)
    if (-not $Simulator.PSObject.Properties['ControlClient']) {
        $Simulator | Add-Member -NotePropertyName ControlClient -NotePropertyValue ([InboxPS.Tests.SimulatorTrust]::CreateClient($Simulator.caCertificatePath))
    }
    return $Simulator.ControlClient
}

function Invoke-Control {
    <# .SYNOPSIS The simulator's control API over one reused client (see Invoke-SimulatorControl for single calls). #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Path, [ValidateSet('Get', 'Post')] [string] $Method = 'Get', $Body)
    $client = Get-SimulatorClient $Simulator
    $uri = [Uri]::new([Uri]$Simulator.controlUrl, $Path.TrimStart('/'))
    $response = if ($Method -eq 'Post') {
        $json = if ($PSBoundParameters.ContainsKey('Body')) { $Body | ConvertTo-Json -Depth 10 -Compress } else { '{}' }
        $client.PostAsync($uri, [System.Net.Http.StringContent]::new($json, [System.Text.Encoding]::UTF8, 'application/json')).GetAwaiter().GetResult()
    }
    else {
        $client.GetAsync($uri).GetAwaiter().GetResult()
    }
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "Simulator control $Method $Path failed: $([int]$response.StatusCode) $text" }
    if ($text) { return $text | ConvertFrom-Json }
}

Export-ModuleMember -Function Get-PwshCommand, Start-PwshProcess, New-RunHome, Start-InboxRun, Wait-InboxRun, Invoke-InboxRun, Get-StoreRows, Invoke-Control
