# Two runspaces in one process are two users of the module: each has its own connections (issue 12, "no statics that
# hold state"). Host applications, ForEach-Object -Parallel and thread jobs all run runspaces side by side.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sim = Start-TestSimulator -ArgumentList '--users', '3', '--items-per-folder', '1'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Runspaces' {
    It 'keeps a connection made in one runspace out of another runspace of the same process' {
        # One fresh pwsh that trusts the simulator's CA; its own runspace and two more, all over one store.
        $environment = @{ INBOXPS_HOME = (New-TestStoreHome); SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson }
        $run = Invoke-FreshPwsh -Environment $environment -Script @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
function New-ModuleRunspace {
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $null = Invoke-InRunspace $runspace "Import-Module '$env:INBOXPS_TEST_MANIFEST'"
    $runspace
}
function Invoke-InRunspace($Runspace, [string] $Script) {
    # Each call is a new pipeline, as a long-lived runspace runs one command after another.
    $shell = [powershell]::Create()
    $shell.Runspace = $Runspace
    try {
        $output = $shell.AddScript($Script).AddArgument($sim).Invoke()
        @($output) + @($shell.Streams.Error | ForEach-Object { "error=$($_.FullyQualifiedErrorId)" })
    }
    catch { "error=$($_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId)" }
    finally { $shell.Dispose() }
}

$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$first = New-ModuleRunspace
$second = New-ModuleRunspace
$connected = Invoke-InRunspace $first 'param($sim) (Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -AppId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $sim.firstMailbox).Status'
"first-connect=$connected"
"first-later=$(Invoke-InRunspace $first '(Get-InboxConnection).Status')"
"first-test=$(Invoke-InRunspace $first 'param($sim) (Test-InboxImpersonation -Organization contoso $sim.firstMailbox).CanImpersonate')"
"second=$(Invoke-InRunspace $second 'Get-InboxConnection -Organization contoso')"
"second-test=$(Invoke-InRunspace $second 'param($sim) Test-InboxImpersonation -Organization contoso $sim.firstMailbox')"
"own=$(@(Get-InboxConnection).Count)"
$null = Invoke-InRunspace $second 'Disconnect-InboxImpersonation -Organization contoso -Confirm:$false'
"first-after-second-disconnect=$(Invoke-InRunspace $first '(Get-InboxConnection).Status')"
$first.Dispose()
$second.Dispose()
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'first-connect=Connected'
        $run.Output | Should -Contain 'first-later=Connected'
        $run.Output | Should -Contain 'first-test=True'
        $run.Output | Should -Contain 'second=error=NotConnected,InboxPS.Commands.GetInboxConnectionCommand'
        $run.Output | Should -Contain 'second-test=error=NotConnected,InboxPS.Commands.TestInboxImpersonationCommand'
        $run.Output | Should -Contain 'own=0'
        $run.Output | Should -Contain 'first-after-second-disconnect=Connected'
    }
}
