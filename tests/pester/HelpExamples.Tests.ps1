# Every example of every help page (docs/en-US), run as written against the simulator: only the placeholders an admin
# would replace (tenant, app id, addresses, paths, the certificate) are replaced by the simulator's values, and the
# commands of other modules the examples start from (Get-Mailbox, Get-EXOMailbox, Get-Credential, Read-Host) are
# stand-ins returning the simulator's users. An example that no longer works fails the build.
BeforeDiscovery {
    $docs = Join-Path $env:INBOXPS_TEST_REPO 'docs/en-US'
    $examples = foreach ($page in Get-ChildItem $docs -Filter '*.md' | Sort-Object Name) {
        $text = (Get-Content -Raw $page.FullName) -replace "`r`n", "`n"
        $pattern = '(?ms)^### (Example \d+[^\n]*)\n```powershell\n(.*?)\n```\n(.*?)(?=^##|\z)'
        foreach ($match in [regex]::Matches($text, $pattern)) {
            @{ Page = $page.BaseName; Title = $match.Groups[1].Value; Code = $match.Groups[2].Value; Description = $match.Groups[3].Value.Trim() }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sim = Start-TestSimulator -ArgumentList '--users', '12', '--items-per-folder', '4', '--broken'
    $healthy = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
    $outOfScope = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -eq 'OutOfScope')[0].primarySmtpAddress
    $domain = $healthy[0].primarySmtpAddress.Split('@')[1]

    # Stand-ins for the commands of other modules the examples start from: mailboxes as Exchange Online returns them
    # (Identity a display name), and answers to the prompts.
    function Get-Mailbox {
        # The users the fixture activated in contoso.
        param($ResultSize, $RecipientTypeDetails, $Filter, $OrganizationalUnit)
        foreach ($user in $healthy[1..2]) {
            [pscustomobject]@{ Identity = $user.displayName; Name = $user.displayName; DisplayName = $user.displayName; Alias = $user.primarySmtpAddress.Split('@')[0]
                PrimarySmtpAddress = $user.primarySmtpAddress; UserPrincipalName = $user.userPrincipalName; ExchangeGuid = [guid]::NewGuid(); RecipientTypeDetails = 'UserMailbox' }
        }
    }
    function Get-EXOMailbox { param($Filter, $ResultSize) Get-Mailbox }
    function Get-Credential {
        param($UserName)
        # The shared store's database account (Set-InboxStore's examples), else the simulator's service account.
        if ($UserName -eq 'inboxps' -and $testStore) { return $testStore.Credential }
        [pscredential]::new($sim.serviceAccount, (ConvertTo-SecureString $sim.serviceAccountPassword -AsPlainText -Force))
    }

    # The test PostgreSQL server build.ps1 -Task Test starts, for the examples about the shared store; without one (a
    # clone without PostgreSQL) those examples are skipped, saying why.
    $testStore = if ($env:INBOXPS_TEST_POSTGRES) {
        $server = @{}
        foreach ($pair in $env:INBOXPS_TEST_POSTGRES -split ';') { $key, $value = $pair -split '=', 2; $server[$key.Trim()] = $value }
        [pscustomobject]@{
            Url        = "postgres://$($server.Username)@$($server.Host):$($server.Port)/postgres"
            Credential = [pscredential]::new($server.Username, (ConvertTo-SecureString $server.Password -AsPlainText -Force))
        }
    }
    # The proxies of the examples about proxies (tests/common/TunnelProxy.cs): contoso's lets every CONNECT through,
    # fabrikam's answers 407 until it gets the credential the Get-Credential stand-in hands out.
    if (-not ('InboxPS.Tests.Support.TunnelProxy' -as [type])) { Add-Type -Path (Join-Path $RepoRoot 'tests/common/TunnelProxy.cs') }
    $proxies = @{
        contoso  = [InboxPS.Tests.Support.TunnelProxy]::new()
        fabrikam = [InboxPS.Tests.Support.TunnelProxy]::new($sim.serviceAccount, $sim.serviceAccountPassword)
    }
    function Read-Host { param([switch] $AsSecureString, $Prompt) ConvertTo-SecureString $sim.certificatePassword -AsPlainText -Force }

    function ConvertTo-SimulatorExample {
        # The example's text with an admin's placeholders replaced by the simulator's values; nothing else changes.
        param([string] $Code, [string] $ExampleHome)
        $replacements = [ordered]@{
            '(?m)^Import-Module InboxPS$'                                  = "Import-Module '$ModuleManifest'"
            "\`$env:INBOXPS_HOME = '[^']*'"                                = "`$env:INBOXPS_HOME = '$ExampleHome'"
            # The app registration's id and certificate thumbprint an example assigns: the simulator's app.
            "'6f1c2b9e-3c4d-4e5f-8a9b-0c1d2e3f4a5b'"                      = "'$($sim.clientId)'"
            "'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678'"                  = "'$($sim.certificateThumbprint)'"
            '-TenantId (contoso\.onmicrosoft\.com|fabrikam\.com)'          = "-Authority '$($sim.authority)' -TenantId '$($sim.tenantId)'"
            # A thumbprint names a certificate in the Windows certificate store; here the same certificate comes from its file.
            '-CertificateThumbprint \$thumb'                               = "-CertificatePath '$($sim.certificatePath)' -CertificatePassword '$($sim.certificatePassword)'"
            '\./inboxps-app\.pfx'                                          = "'$($sim.certificatePath)'"
            'svc-inbox@contoso\.com'                                       = $sim.firstMailbox
            # The simulator's service account has no mailbox of its own: the mailbox that proves a connection is its first.
            'svc-inbox@fabrikam\.com'                                      = $sim.firstMailbox
            'adele\.vance@contoso\.com'                                    = $healthy[1].primarySmtpAddress
            'alex\.wilber@contoso\.com'                                    = $healthy[2].primarySmtpAddress
            '\*@sales\.contoso\.com'                                       = "*@$domain"
            'https://outlook\.office365\.com/EWS/Exchange\.asmx|https://mail\.fabrikam\.com' = $sim.ewsUrl
            'D:\\InboxPS\\mime'                                            = (Join-Path $ExampleHome 'mime')
            "'postgres://inboxps@pg\.contoso\.com:5432/inboxps\?sslmode=require'" = "'$($testStore.Url)'"
            'http://proxy\.contoso\.com:8080'                              = $proxies.contoso.Address.GetLeftPart('Authority')
            'http://proxy\.fabrikam\.com:8080'                             = $proxies.fabrikam.Address.GetLeftPart('Authority')
        }
        foreach ($pattern in $replacements.Keys) { $Code = $Code -replace $pattern, $replacements[$pattern].Replace('$', '$$') }
        return $Code
    }

    function Initialize-ExampleStore {
        # What an admin's store looks like a few days in: contoso (and fabrikam, unless the example speaks of the only
        # organization) connected, some users synced, and one user in each whose impersonation was refused.
        param([bool] $TwoOrganizations, [string] $Code)
        $organizations = if ($TwoOrganizations) { 'contoso', 'fabrikam' } else { , 'contoso' }
        $i = 1
        foreach ($organization in $organizations) {
            Connect-TestOrganization $sim -ServiceAccount $healthy[0].primarySmtpAddress -Organization $organization
            $null = $healthy[$i].primarySmtpAddress, $healthy[$i + 1].primarySmtpAddress, $outOfScope |
                Start-InboxSync -Organization $organization -ErrorAction SilentlyContinue
            $i += 2
        }
        # The sign-in an example makes needs the access type it is for.
        if ($Code -match '-Credential\b') { $null = Set-InboxAccessType -Organization fabrikam -AccessType BasicImpersonation -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue }
        if ($Code -match '-DeviceCode\b') { $null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthImpersonation -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue }
        $Error.Clear()
    }
}

AfterAll {
    $proxies.Values | ForEach-Object Dispose
    Stop-TestSimulator $sim
}

Describe '<Page>, <Title>' -ForEach $examples {
    BeforeAll {
        $exampleHome = Enter-TestStore
        Initialize-ExampleStore -TwoOrganizations ($Description -notmatch 'the only organization') -Code $Code
        'EmailAddress', $healthy[1].primarySmtpAddress | Set-Content (Join-Path $exampleHome 'leavers.csv')
        'EmailAddress', $healthy[3].primarySmtpAddress | Set-Content (Join-Path $exampleHome 'pilot-users.csv')
        # The variables the examples take as given.
        $appId = $sim.clientId
        $publicClientId = $sim.delegatedClientId
        $thumb = $sim.certificateThumbprint
        $script = ConvertTo-SimulatorExample -Code $Code -ExampleHome $exampleHome
        # The examples about the shared store assume the console or runbook already uses it.
        $needsSharedStore = $Page -in 'Get-InboxStore', 'Set-InboxStore'
        if ($needsSharedStore -and $testStore) { $null = Set-InboxStore -PostgreSql -ConnectionString $testStore.Url -Credential $testStore.Credential }
        Push-Location $exampleHome
        $env:IDENTITY_ENDPOINT = $sim.managedIdentityEndpoint
        $env:IDENTITY_HEADER = $sim.managedIdentityHeader
        # A device-code sign-in waits for a user at a browser: approve every code the simulator hands out, as a user
        # with a mailbox (the simulator's service account has none).
        $approver = if ($Code -match '-DeviceCode\b') {
            Start-ThreadJob -ArgumentList $sim, (Join-Path $RepoRoot 'tools/InboxSimulator.psm1') -ScriptBlock {
                param($sim, $helpers)
                Import-Module $helpers
                while ($true) {
                    foreach ($userCode in @(Invoke-SimulatorControl -Simulator $sim -Path 'device-codes')) {
                        if ($userCode) { $null = Invoke-SimulatorControl -Simulator $sim -Path 'device-codes/approve' -Method Post -Body @{ userCode = $userCode; user = $sim.firstMailbox } }
                    }
                    Start-Sleep -Milliseconds 200
                }
            }
        }
    }
    AfterAll {
        if ($approver) { $approver | Stop-Job -PassThru | Remove-Job }
        $env:IDENTITY_ENDPOINT = $null
        $env:IDENTITY_HEADER = $null
        Pop-Location
        if ($needsSharedStore) { $null = Set-InboxStore -FromEnvironment }
        Exit-TestStore
    }

    It 'runs as the help says' {
        if ($needsSharedStore -and -not $testStore) {
            Set-ItResult -Skipped -Because 'it needs the test PostgreSQL server (./build.ps1 -Task Test starts one where PostgreSQL is installed)'
            return
        }
        $block = [scriptblock]::Create($script)
        if ($Description -match 'Asks for confirmation') {
            # This pwsh cannot answer a prompt, so an example that asks stops here, saying it needed one.
            { & $block } | Should -Throw -ExpectedMessage '*NonInteractive*' -Because 'the help says it asks for confirmation'
            $Error.Clear()
            $block = [scriptblock]::Create($script + ' -Confirm:$false')
        }
        # As at the console: a failed user is a non-terminating error, and the rest goes on.
        $ErrorActionPreference = 'Continue'
        $output = & $block
        # Only what the fixture set up to fail may fail: the user whose impersonation Exchange refuses.
        $unexpected = @($Error | Where-Object { "$($_.TargetObject)" -ne $outOfScope })
        $unexpected | Should -HaveCount 0 -Because "the example ran as: $script`n$($unexpected | Select-Object -First 3 | Out-String)"
        if ($Code -match 'http://proxy\.(\w+)\.com') {
            $proxies[$Matches[1]].Tunnels | Should -Not -BeNullOrEmpty -Because 'the example sends its requests through that proxy'
        }
        $null = $output
    }
}
