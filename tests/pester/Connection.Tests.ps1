BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $connectCommand = 'InboxPS.Commands.ConnectInboxImpersonationCommand'
    $sim = Start-TestSimulator -ArgumentList '--users', '5', '--items-per-folder', '1', '--broken'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress

    function Invoke-Connected {
        # Runs a script in a fresh pwsh that trusts the simulator's CA (as an admin trusts an internal CA), with $sim
        # holding the simulator's details and a private store.
        param([Parameter(Mandatory)] [string] $Script, [string] $StoreHome = (New-TestStoreHome), [hashtable] $Environment = @{})
        $environment = @{ INBOXPS_HOME = $StoreHome; SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson } + $Environment
        Invoke-FreshPwsh -Environment $environment -Script ('$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json; ' + $Script)
    }

    function Invoke-SimulatorApi {
        # POSTs to the simulator's control API from a pwsh that trusts its CA; returns the JSON answer's text.
        param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [hashtable] $Body)
        $env:INBOXPS_TEST_BODY = $Body | ConvertTo-Json -Compress
        try {
            $run = Invoke-Connected -Script "Invoke-RestMethod -Method Post -Uri (`$sim.controlUrl + '$Path') -ContentType 'application/json' -Body `$env:INBOXPS_TEST_BODY | ConvertTo-Json -Compress"
        }
        finally {
            $env:INBOXPS_TEST_BODY = $null
        }
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        return $run.Output -join ''
    }

    # InboxPS requires the service account to have a licensed mailbox of its own; the simulated one starts without.
    $null = Invoke-SimulatorApi -Path "mailboxes/$($sim.serviceAccount)/state" -Body @{ hasMailbox = $true; licensed = $true }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Connect-InboxImpersonation' {
    It 'offers the sign-in modes as parameter sets, with the names admins already type' {
        $run = Invoke-FreshPwsh -Script @'
$command = Get-Command Connect-InboxImpersonation
"sets=$(($command.ParameterSets.Name | Sort-Object) -join ',')"
"default=$($command.DefaultParameterSet)"
"aliases=$(($command.Parameters.ClientId.Aliases + $command.Parameters.DeviceCode.Aliases + $command.Parameters.ManagedIdentity.Aliases) -join ',')"
'@
        $run.Output | Should -Contain 'sets=AccessToken,Certificate,CertificatePath,CertificateThumbprint,ClientSecret,Credential,DeviceCode,Interactive,ManagedIdentity'
        $run.Output | Should -Contain 'default=Interactive'
        ($run.Output | Where-Object { $_ -like 'aliases=*' }) | Should -Be 'aliases=AppId,ApplicationId,UseDeviceCode,UseDeviceAuthentication,Device,DeviceAuth,Identity,MSI,ManagedServiceIdentity'
    }

    It 'connects app-only with a client secret, outputs the connection, and never shows the secret' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$c = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -AppId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $sim.firstMailbox
"type=$($c.GetType().FullName)"
"auth=$($c.AuthType) method=$($c.SignInMethod) status=$($c.Status) app=$($c.AppId) expires=$($c.TokenExpiresOn -gt [DateTimeOffset]::UtcNow)"
$listed = Get-InboxConnection
"listed=$($listed.Organization) $($listed.Status)"
"saved=$((Get-InboxOrganization contoso).ServiceAccount) $((Get-InboxOrganization contoso).ClientId)"
Get-InboxConnection | Format-Table | Out-String -Width 200
'@
        $run.Output | Should -Contain 'type=InboxPS.Core.Auth.ConnectionInfo'
        $run.Output | Should -Contain "auth=AppOnly method=ClientSecret status=Connected app=$($sim.clientId) expires=True"
        $run.Output | Should -Contain 'listed=contoso Connected'
        $run.Output | Should -Contain "saved=$($sim.firstMailbox) $($sim.clientId)"
        ($run.Output -join "`n") | Should -Match 'Organization\s+AuthType\s+SignIn'
        ($run.Output -join "`n") | Should -Not -Match ([regex]::Escape($sim.clientSecret))
    }

    It 'stops with ClientCredentialRejected for a wrong secret, without showing it' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
try { Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret 'Wr0ng~Secret-Value-123' -ServiceAccount $sim.firstMailbox }
catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)"; "msg=$($_.Exception.Message)"; "fix=$($_.ErrorDetails.RecommendedAction)" }
"connections=$(@(Get-InboxConnection).Count)"
'@
        $run.Output | Should -Contain "id=ClientCredentialRejected,$connectCommand"
        $run.Output | Should -Contain 'category=AuthenticationError'
        ($run.Output | Where-Object { $_ -like 'msg=*' }) | Should -BeLike '*AADSTS7000215*'
        $run.Output | Should -Contain 'connections=0'
        ($run.Output -join "`n") | Should -Not -Match 'Wr0ng~Secret-Value-123'
    }

    It 'connects app-only with a certificate file and its password' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$c = Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -CertificatePath $sim.certificatePath -CertificatePassword $sim.certificatePassword -ServiceAccount $sim.firstMailbox
"method=$($c.SignInMethod) status=$($c.Status)"
'@
        $run.Output | Should -Contain 'method=Certificate status=Connected'
    }

    It 'explains that -CertificateThumbprint needs the Windows certificate store' -Skip:$IsWindows {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
try { Connect-InboxImpersonation -TenantId $sim.tenantId -ClientId $sim.clientId -CertificateThumbprint $sim.certificateThumbprint -ServiceAccount $sim.firstMailbox }
catch { "id=$($_.FullyQualifiedErrorId)"; "fix=$($_.ErrorDetails.RecommendedAction)" }
'@
        $run.Output | Should -Contain "id=CertificateThumbprintNotSupported,$connectCommand"
        ($run.Output | Where-Object { $_ -like 'fix=*' }) | Should -BeLike '*-CertificatePath*'
    }

    It 'connects with a given access token and shows when it expires' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$token = (Invoke-RestMethod -Method Post -Uri "$($sim.authority)/oauth2/v2.0/token" -Body @{
    grant_type = 'client_credentials'; client_id = $sim.clientId; client_secret = $sim.clientSecret; scope = 'https://outlook.office365.com/.default' }).access_token
$c = Connect-InboxImpersonation -AccessToken $token -ServiceAccount $sim.firstMailbox
"method=$($c.SignInMethod) auth=$($c.AuthType) status=$($c.Status) app=$($c.AppId) expires=$($null -ne $c.TokenExpiresOn)"
'@
        $run.Output | Should -Contain "method=AccessToken auth=AppOnly status=Connected app=$($sim.clientId) expires=True"
    }

    It 'connects the service account with its credential (basic authentication, Exchange Server)' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation -EwsUrl $sim.ewsUrl
$credential = [pscredential]::new($sim.serviceAccount, (ConvertTo-SecureString $sim.serviceAccountPassword -AsPlainText -Force))
$c = Connect-InboxImpersonation -Credential $credential
"auth=$($c.AuthType) account=$($c.Account) status=$($c.Status) expires=$($null -eq $c.TokenExpiresOn)"
'@
        $run.Output | Should -Contain "auth=Basic account=$($sim.serviceAccount) status=Connected expires=True"
        ($run.Output -join "`n") | Should -Not -Match ([regex]::Escape($sim.serviceAccountPassword))
    }

    It 'connects as the managed identity of the machine or runbook' {
        $run = Invoke-Connected -Environment @{ IDENTITY_ENDPOINT = $sim.managedIdentityEndpoint; IDENTITY_HEADER = $sim.managedIdentityHeader } -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$c = Connect-InboxImpersonation -ManagedIdentity -ServiceAccount $sim.firstMailbox
"method=$($c.SignInMethod) auth=$($c.AuthType) app=$($c.AppId) status=$($c.Status)"
'@
        $run.Output | Should -Contain "method=ManagedIdentity auth=AppOnly app=$($sim.managedIdentityClientId) status=Connected"
    }

    It 'refuses a sign-in that does not fit the access type with SignInDoesNotMatchAccessType' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
try { Connect-InboxImpersonation -DeviceCode -ClientId $sim.delegatedClientId } catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)" }
'@
        $run.Output | Should -Contain "id=SignInDoesNotMatchAccessType,$connectCommand"
        $run.Output | Should -Contain 'category=InvalidArgument'
    }

    It 'names the missing piece when the test mailbox may not be impersonated' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$outside = @($sim.brokenUsers | Where-Object { $_ -like 'outofscope@*' })[0]
try { Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $outside }
catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)"; "fix=$($_.ErrorDetails.RecommendedAction)" }
'@
        $run.Output | Should -Contain "id=ImpersonationNotGranted,$connectCommand"
        $run.Output | Should -Contain 'category=PermissionDenied'
        ($run.Output | Where-Object { $_ -like 'fix=*' }) | Should -BeLike '*full_access_as_app*'
    }
}

Describe 'A delegated sign-in across sessions' {
    It 'shows the device code on the console, and a new session reuses the saved sign-in until the access type changes' {
        $storeHome = New-TestStoreHome
        $environment = @{ INBOXPS_HOME = $storeHome; SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson }
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
            Invoke-SimulatorApi -Path 'device-codes/approve' -Body @{ userCode = $code } | Should -Be '{"found":true}'
            $process.WaitForExit(60000) | Should -BeTrue
            $rest = $process.StandardOutput.ReadToEnd()
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
        }
        $rest | Should -Match "connected=Connected Delegated DeviceCode $([regex]::Escape($sim.serviceAccount))"

        $later = Invoke-Connected -StoreHome $storeHome -Script @'
$c = Get-InboxConnection -Organization contoso
"restored=$($c.Status) $($c.AuthType) $($c.Account)"
"mode=$([Convert]::ToString([int](Get-Item $c.TokenCachePath).UnixFileMode, 8))"
Disconnect-InboxImpersonation -Organization contoso -WhatIf
"after-whatif=$(@(Get-InboxConnection).Count)"
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningVariable w -WarningAction SilentlyContinue
"warned=$(($w | Where-Object { $_ -like '*disconnected*' }).Count)"
"after-change=$(@(Get-InboxConnection).Count) cache=$(Test-Path $c.TokenCachePath)"
'@
        $later.Output | Should -Contain "restored=Connected Delegated $($sim.serviceAccount)"
        if (-not $IsWindows) { $later.Output | Should -Contain 'mode=600' }
        $later.Output | Should -Contain 'after-whatif=1'
        $later.Output | Should -Contain 'warned=1'
        $later.Output | Should -Contain 'after-change=0 cache=False'
    }
}

Describe 'Disconnect-InboxImpersonation and Get-InboxConnection' {
    It 'keeps the connection with -WhatIf, ends it otherwise, and then reports NotConnected' {
        $run = Invoke-Connected -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl
$null = Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $sim.firstMailbox
Disconnect-InboxImpersonation -WhatIf
"whatif=$(@(Get-InboxConnection).Count)"
Get-InboxConnection | Disconnect-InboxImpersonation
"after=$(@(Get-InboxConnection).Count)"
Get-InboxConnection -Organization contoso -ErrorAction SilentlyContinue -ErrorVariable e
"id=$($e[0].FullyQualifiedErrorId)"
Get-InboxConnection -Organization nosuch -ErrorAction SilentlyContinue -ErrorVariable e2
"id2=$($e2[0].FullyQualifiedErrorId)"
'@
        $run.Output | Should -Contain 'whatif=1'
        $run.Output | Should -Contain 'after=0'
        $run.Output | Should -Contain 'id=NotConnected,InboxPS.Commands.GetInboxConnectionCommand'
        $run.Output | Should -Contain 'id2=OrganizationNotFound,InboxPS.Commands.GetInboxConnectionCommand'
    }
}
