BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $connectCommand = 'InboxPS.Commands.ConnectInboxImpersonationCommand'
    $sim = Start-TestSimulator -ArgumentList '--users', '5', '--items-per-folder', '1', '--broken'
    $secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Connect-InboxImpersonation' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'offers the sign-in modes as parameter sets, with the names admins already type' {
        $command = Get-Command Connect-InboxImpersonation
        ($command.ParameterSets.Name | Sort-Object) -join ',' |
            Should -BeExactly 'AccessToken,Certificate,CertificatePath,CertificateThumbprint,ClientSecret,Credential,DeviceCode,Interactive,ManagedIdentity'
        $command.DefaultParameterSet | Should -BeExactly 'Interactive'
        ($command.Parameters.ClientId.Aliases + $command.Parameters.DeviceCode.Aliases + $command.Parameters.ManagedIdentity.Aliases) -join ',' |
            Should -BeExactly 'AppId,ApplicationId,UseDeviceCode,UseDeviceAuthentication,Device,DeviceAuth,Identity,MSI,ManagedServiceIdentity'
    }

    It 'connects app-only with a client secret, outputs the connection, and never shows the secret' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        # A plain string is accepted too, as admins paste it.
        $c = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -AppId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $sim.firstMailbox
        $c.GetType().FullName | Should -BeExactly 'InboxPS.Core.Auth.ConnectionInfo'
        "$($c.AuthType) $($c.SignInMethod) $($c.Status) $($c.AppId)" | Should -BeExactly "AppOnly ClientSecret Connected $($sim.clientId)"
        $c.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        $listed = Get-InboxConnection
        "$($listed.Organization) $($listed.Status)" | Should -BeExactly 'contoso Connected'
        $saved = Get-InboxOrganization contoso
        "$($saved.ServiceAccount) $($saved.ClientId)" | Should -BeExactly "$($sim.firstMailbox) $($sim.clientId)"
        $table = Get-InboxConnection | Format-Table | Out-String -Width 200
        $table | Should -Match 'Organization\s+Status\s+TokenExpiresOn\s+Account or AppId'
        $table + ($c | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($sim.clientSecret))
    }

    It 'stops with ClientCredentialRejected for a wrong secret, without showing it' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $record = { Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret 'Wr0ng~Secret-Value-123' -ServiceAccount $sim.firstMailbox } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "ClientCredentialRejected,$connectCommand"
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $record.Exception.Message | Should -BeLike '*AADSTS7000215*'
        @(Get-InboxConnection) | Should -HaveCount 0
        ($record | Format-List * -Force | Out-String) + $record.Exception.ToString() | Should -Not -Match 'Wr0ng~Secret-Value-123'
    }

    It 'connects app-only with a certificate file and its password' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $c = Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -CertificatePath $sim.certificatePath -CertificatePassword $sim.certificatePassword -ServiceAccount $sim.firstMailbox
        "$($c.SignInMethod) $($c.Status)" | Should -BeExactly 'Certificate Connected'
    }

    It 'explains that -CertificateThumbprint needs the Windows certificate store' -Skip:$IsWindows {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $record = { Connect-InboxImpersonation -TenantId $sim.tenantId -ClientId $sim.clientId -CertificateThumbprint $sim.certificateThumbprint -ServiceAccount $sim.firstMailbox } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "CertificateThumbprintNotSupported,$connectCommand"
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*-CertificatePath*'
    }

    It 'connects with a given access token and shows when it expires' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $token = (Invoke-RestMethod -Method Post -Uri "$($sim.authority)/oauth2/v2.0/token" -Body @{
                grant_type = 'client_credentials'; client_id = $sim.clientId; client_secret = $sim.clientSecret; scope = 'https://outlook.office365.com/.default' }).access_token
        $c = Connect-InboxImpersonation -AccessToken $token -ServiceAccount $sim.firstMailbox
        "$($c.SignInMethod) $($c.AuthType) $($c.Status) $($c.AppId)" | Should -BeExactly "AccessToken AppOnly Connected $($sim.clientId)"
        $c.TokenExpiresOn | Should -Not -BeNullOrEmpty
    }

    It 'connects the service account with its credential (basic authentication, Exchange Server)' {
        $null = Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation -EwsUrl $sim.ewsUrl
        $credential = [pscredential]::new($sim.serviceAccount, (ConvertTo-SecureString $sim.serviceAccountPassword -AsPlainText -Force))
        $c = Connect-InboxImpersonation -Credential $credential
        "$($c.AuthType) $($c.Account) $($c.Status)" | Should -BeExactly "Basic $($sim.serviceAccount) Connected"
        $c.TokenExpiresOn | Should -BeNullOrEmpty
        $c | Format-List * -Force | Out-String | Should -Not -Match ([regex]::Escape($sim.serviceAccountPassword))
    }

    It 'connects as the managed identity of the machine or runbook' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        # What Azure Automation and App Service give a runbook; MSAL reads them when it signs in.
        $env:IDENTITY_ENDPOINT = $sim.managedIdentityEndpoint
        $env:IDENTITY_HEADER = $sim.managedIdentityHeader
        try {
            $c = Connect-InboxImpersonation -ManagedIdentity -ServiceAccount $sim.firstMailbox
        }
        finally {
            $env:IDENTITY_ENDPOINT = $null
            $env:IDENTITY_HEADER = $null
        }
        "$($c.SignInMethod) $($c.AuthType) $($c.AppId) $($c.Status)" | Should -BeExactly "ManagedIdentity AppOnly $($sim.managedIdentityClientId) Connected"
    }

    It 'refuses a sign-in that does not fit the access type with SignInDoesNotMatchAccessType' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $record = { Connect-InboxImpersonation -DeviceCode -ClientId $sim.delegatedClientId } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "SignInDoesNotMatchAccessType,$connectCommand"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'names the missing piece when the test mailbox may not be impersonated' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $outside = @($sim.brokenUsers | Where-Object { $_ -like 'outofscope@*' })[0]
        $record = { Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $secret -ServiceAccount $outside } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "ImpersonationNotGranted,$connectCommand"
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*full_access_as_app*'
    }
}

Describe 'A delegated sign-in across sessions' {
    # Fresh processes: the subject is what a LATER session finds, and the device code must reach a real console.
    It 'shows the device code on the console, and a new session reuses the saved sign-in until the access type changes' {
        $storeHome = New-TestStoreHome
        $environment = @{ INBOXPS_HOME = $storeHome; INBOXPS_TEST_SIM = ($sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress) }
        $process = Start-FreshPwsh -Environment $environment -Script @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthImpersonation -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
$c = Connect-InboxImpersonation -DeviceCode -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.delegatedClientId -WarningAction SilentlyContinue
"connected=$($c.Status) $($c.AuthType) $($c.SignInMethod) $($c.Account)"
'@
        try {
            # Read the console until the code shows up; never wait forever on a sign-in that went wrong.
            $lines = [System.Collections.Generic.List[string]]::new()
            $code = $null
            while (-not $code) {
                $read = $process.StandardOutput.ReadLineAsync()
                if (-not $read.Wait([TimeSpan]::FromSeconds(60)) -or $null -eq $read.Result) { break }
                $lines.Add($read.Result)
                if ($read.Result -match 'enter the code (\S+)') { $code = $Matches[1] }
            }
            $code | Should -Not -BeNullOrEmpty -Because "the device-code message must reach the console: $($lines -join ' | ')"
            (Invoke-SimulatorControl -Simulator $sim -Path 'device-codes/approve' -Method Post -Body @{ userCode = $code }).found | Should -BeTrue
            $process.WaitForExit(60000) | Should -BeTrue
            $rest = $process.StandardOutput.ReadToEnd()
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.Dispose()
        }
        $rest | Should -Match "connected=Connected Delegated DeviceCode $([regex]::Escape($sim.serviceAccount))"

        $later = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome } -Script @'
$c = Get-InboxConnection -Organization contoso
"restored=$($c.Status) $($c.AuthType) $($c.Account)"
"mode=$([Convert]::ToString([int](Get-Item $c.TokenCachePath).UnixFileMode, 8))"
Disconnect-InboxImpersonation -Organization contoso -WhatIf
"after-whatif=$(@(Get-InboxConnection).Count)"
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningVariable w -WarningAction SilentlyContinue
"warned=$(($w | Where-Object { $_ -like '*disconnected*' }).Count)"
"after-change=$(@(Get-InboxConnection).Count) cache=$(Test-Path $c.TokenCachePath)"
'@
        $later.Output | Should -Contain "restored=Connected Delegated $($sim.serviceAccount)" -Because ($later.Output -join "`n")
        if (-not $IsWindows) { $later.Output | Should -Contain 'mode=600' }
        $later.Output | Should -Contain 'after-whatif=1'
        $later.Output | Should -Contain 'warned=1'
        $later.Output | Should -Contain 'after-change=0 cache=False'
    }
}

Describe 'Disconnect-InboxImpersonation and Get-InboxConnection' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'keeps the connection with -WhatIf, ends it otherwise, and then reports NotConnected' {
        Connect-TestOrganization $sim
        Disconnect-InboxImpersonation -WhatIf
        @(Get-InboxConnection) | Should -HaveCount 1
        Get-InboxConnection | Disconnect-InboxImpersonation -Confirm:$false
        @(Get-InboxConnection) | Should -HaveCount 0
        $null = Get-InboxConnection -Organization contoso -ErrorAction SilentlyContinue -ErrorVariable notConnected
        $notConnected[0].FullyQualifiedErrorId | Should -BeExactly 'NotConnected,InboxPS.Commands.GetInboxConnectionCommand'
        $null = Get-InboxConnection -Organization nosuch -ErrorAction SilentlyContinue -ErrorVariable notFound
        $notFound[0].FullyQualifiedErrorId | Should -BeExactly 'OrganizationNotFound,InboxPS.Commands.GetInboxConnectionCommand'
    }
}
