# Issue 19, proxies: the built module, in a fresh pwsh as an admin runs it, sends the sign-in (MSAL) and the EWS and
# Graph requests through real HTTP CONNECT proxies started here (tests/common/TunnelProxy.cs, the proxy the xunit tests
# use): the system's proxy from HTTPS_PROXY, and the organization's own from Set-InboxAccessType -Proxy, one of them
# demanding a password. Each proxy's log of CONNECT targets is the proof. The identity endpoint is addressed as
# localhost and EWS and Graph as 127.0.0.1 (both in the simulator certificate's names), so the log tells the sign-in
# from the mailbox requests; .NET sends loopback addresses through a configured proxy like any other.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    if (-not ('InboxPS.Tests.Support.TunnelProxy' -as [type])) { Add-Type -Path (Join-Path $RepoRoot 'tests/common/TunnelProxy.cs') }
    $sim = Start-TestSimulator -ArgumentList '--users', '6', '--items-per-folder', '2'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox } |
        Select-Object -First 2 | ForEach-Object primarySmtpAddress)
    $port = ([uri]$sim.ewsUrl).Port
    $signInTarget = "localhost:$port"
    $mailboxTarget = "127.0.0.1:$port"
    $proxyUser = 'CONTOSO\svc-proxy'
    $proxyPassword = 'Pr0xy~Pa55-never-shown'
    $wrongProxyPassword = 'Wr0ng~Pr0xy-Pa55'

    $systemProxy = [InboxPS.Tests.Support.TunnelProxy]::new()
    $ewsProxy = [InboxPS.Tests.Support.TunnelProxy]::new()
    $graphProxy = [InboxPS.Tests.Support.TunnelProxy]::new($proxyUser, $proxyPassword)
    $storeHome = New-TestStoreHome

    # One admin session with every stream on: an organization on the system's proxy, one on its own, one on its own
    # proxy that asks for a password (given wrong first).
    $run = Invoke-FreshPwsh -Environment @{
        INBOXPS_HOME = $storeHome; SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson
        HTTPS_PROXY = $systemProxy.Address.ToString(); NO_PROXY = 'example.invalid'; INBOXPS_USERS = ($users -join ',')
        INBOXPS_EWS_PROXY = $ewsProxy.Address.ToString(); INBOXPS_GRAPH_PROXY = $graphProxy.Address.ToString()
    } -Script @"
`$sim = `$env:INBOXPS_TEST_SIM | ConvertFrom-Json
`$users = `$env:INBOXPS_USERS -split ','
`$authority = `$sim.authority.Replace('127.0.0.1', 'localhost')
`$secret = ConvertTo-SecureString `$sim.clientSecret -AsPlainText -Force
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$ErrorActionPreference = 'Continue'
`$results = @{}

Set-InboxAccessType -Organization system -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl | Format-List * -Force | Out-String
Connect-InboxImpersonation -Organization system -Authority `$authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret `$secret -ServiceAccount `$users[0] | Out-Null
`$results.system = @(`$users | Start-InboxSync -Organization system | ForEach-Object { "`$(`$_.Status)" })

Set-InboxAccessType -Organization ews -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl -Proxy `$env:INBOXPS_EWS_PROXY | Format-List * -Force | Out-String
Connect-InboxImpersonation -Organization ews -Authority `$authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret `$secret -ServiceAccount `$users[0] | Out-Null
`$results.ews = @(`$users | Start-InboxSync -Organization ews | ForEach-Object { "`$(`$_.Status)" })

Set-InboxAccessType -Organization graph -AccessType GraphAppOnly -GraphUrl `$sim.graphUrl -Proxy `$env:INBOXPS_GRAPH_PROXY | Format-List * -Force | Out-String
try {
    Connect-InboxImpersonation -Organization graph -Authority `$authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret `$secret -ServiceAccount `$users[0] ``
        -ProxyCredential ([pscredential]::new('$proxyUser', (ConvertTo-SecureString '$wrongProxyPassword' -AsPlainText -Force)))
} catch {
    `$results.refusal = "`$(`$_.FullyQualifiedErrorId)|`$(`$_.Exception.Message)"
    `$_ | Format-List * -Force | Out-String
    `$_.Exception.ToString()
}
Connect-InboxImpersonation -Organization graph -Authority `$authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret `$secret -ServiceAccount `$users[0] ``
    -ProxyCredential ([pscredential]::new('$proxyUser', (ConvertTo-SecureString '$proxyPassword' -AsPlainText -Force))) | Format-List * -Force | Out-String
`$results.graph = @(`$users | Start-InboxSync -Organization graph | ForEach-Object { "`$(`$_.Status)" })

Get-InboxOrganization | Format-List * -Force | Out-String
Get-InboxConnection | Format-List * -Force | Out-String
foreach (`$record in `$Error) { `$record | Format-List * -Force | Out-String; `$record.Exception.ToString() }
'RESULTS ' + (`$results | ConvertTo-Json -Compress)
"@
    $transcript = $run.Output -join "`n"
    $results = ($run.Output | Where-Object { $_ -like 'RESULTS *' } | Select-Object -Last 1).Substring(8) | ConvertFrom-Json
}

AfterAll {
    $systemProxy, $ewsProxy, $graphProxy | ForEach-Object Dispose
    Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    Stop-TestSimulator $sim
}

Describe 'Proxies' {
    It 'syncs every user of each organization' {
        $results.system | Should -Be @('Synced', 'Synced') -Because $transcript
        $results.ews | Should -Be @('Synced', 'Synced') -Because $transcript
        $results.graph | Should -Be @('Synced', 'Synced') -Because $transcript
    }

    It 'sends an organization without a proxy of its own through the system proxy (HTTPS_PROXY)' {
        $systemProxy.Tunnels | Should -Contain $signInTarget
        $systemProxy.Tunnels | Should -Contain $mailboxTarget
    }

    It 'sends the sign-in and the EWS requests of an organization with -Proxy through that proxy' {
        $ewsProxy.Tunnels | Should -Contain $signInTarget
        $ewsProxy.Tunnels | Should -Contain $mailboxTarget
    }

    It 'sends the sign-in and the Graph requests through a proxy that demands a password, with -ProxyCredential' {
        $graphProxy.Tunnels | Should -Contain $signInTarget
        $graphProxy.Tunnels | Should -Contain $mailboxTarget
        $graphProxy.Refused | Should -Contain $signInTarget -Because 'the proxy asks first, and refuses the wrong password'
    }

    It 'explains a refused proxy password with a stable id that names the proxy' {
        $id, $message = $results.refusal -split '\|', 2
        $id | Should -BeLike 'ProxyAuthenticationRequired,*'
        $message | Should -BeLike "*$($graphProxy.Address.GetLeftPart('Authority'))*407*"
    }

    It 'keeps the proxy address in the profile and never the proxy password anywhere' {
        $transcript | Should -Match ('(?m)^Proxy\s+: ' + [regex]::Escape("$($ewsProxy.Address)"))
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("${proxyUser}:$proxyPassword"))
        $wrongEncoded = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("${proxyUser}:$wrongProxyPassword"))
        $graphProxy.Authorizations | Should -Contain "Basic $encoded" -Because 'the probes below look for what really crossed the wire'
        $probes = $proxyPassword, $wrongProxyPassword, [uri]::EscapeDataString($proxyPassword), $encoded, $wrongEncoded
        foreach ($probe in $probes) {
            $transcript.Contains($probe) | Should -BeFalse -Because "the session's output must not show '$probe'"
        }
        foreach ($file in Get-ChildItem -LiteralPath $storeHome -Recurse -File) {
            $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
            $text = [System.Text.Encoding]::UTF8.GetString($bytes) + [System.Text.Encoding]::Unicode.GetString($bytes)
            foreach ($probe in $probes) {
                $text.Contains($probe) | Should -BeFalse -Because "$($file.Name) must not hold '$probe'"
            }
        }
    }
}
