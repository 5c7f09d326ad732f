BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sim = Start-TestSimulator -ArgumentList '--users', '8', '--items-per-folder', '3', '--broken'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
    $healthy = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox } | ForEach-Object primarySmtpAddress)

    function Invoke-AsAdmin {
        # A fresh pwsh trusting the simulator's CA, with a private store; $sim describes the simulator.
        param([Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $StoreHome, [hashtable] $Environment = @{})
        $environment = @{ INBOXPS_HOME = $StoreHome; SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson } + $Environment
        Invoke-FreshPwsh -Environment $environment -Script ("`$sim = `$env:INBOXPS_TEST_SIM | ConvertFrom-Json`n" + $Script)
    }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Secrets with -Verbose and -Debug on' {
    # A process of its own: every stream it writes (verbose, debug, errors, the host) is captured whole, from outside.
    BeforeAll {
        $storeHome = New-TestStoreHome
        $givenTokenFile = Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-given-token-' + [guid]::NewGuid().ToString('N'))
        $wrongSecret = 'Wr0ng~Client-Secret-5ecurity'
        $wrongPassword = 'Wr0ng~Pa55word-5ecurity'
        # Every way a secret enters InboxPS, a failed sign-in of each kind, a sync with failures, and then everything a
        # run leaves behind printed: each stream, $Error in full (inner exceptions, stack traces), the objects.
        $run = Invoke-AsAdmin -StoreHome $storeHome -Environment @{ INBOXPS_GIVEN_TOKEN_FILE = $givenTokenFile; INBOXPS_USERS = ($healthy -join ',') } -Script @"
# The token an admin brings along (fetched before -Debug is on everywhere: Invoke-RestMethod's own debug output shows it).
`$token = (Invoke-RestMethod -Method Post -Uri "`$(`$sim.authority)/oauth2/v2.0/token" -Body @{
    grant_type = 'client_credentials'; client_id = `$sim.clientId; client_secret = `$sim.clientSecret; scope = 'https://outlook.office365.com/.default' }).access_token
Set-Content -LiteralPath `$env:INBOXPS_GIVEN_TOKEN_FILE -Value `$token -NoNewline
# A delegated device-code sign-in keeps its tokens in the owner-only cache: approve the code as the user would.
`$approver = Start-ThreadJob -ArgumentList `$sim.controlUrl -ScriptBlock {
    param(`$controlUrl)
    for (`$i = 0; `$i -lt 300; `$i++) {
        foreach (`$code in (Invoke-RestMethod -Uri "`${controlUrl}device-codes") | Write-Output | Where-Object { `$_ -is [string] }) {
            `$null = Invoke-RestMethod -Method Post -Uri "`${controlUrl}device-codes/approve" -ContentType 'application/json' -Body (@{ userCode = `$code } | ConvertTo-Json)
            return
        }
        Start-Sleep -Milliseconds 200
    }
}
# Debug output on through the preference: the -Debug switch of a compiled cmdlet turns warnings into prompts
# (Inquire), which a non-interactive run cannot answer.
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'
`$ErrorActionPreference = 'Continue'
# Healthy users and the two broken for good (moving@ only waits for its move, which proves nothing here).
`$users = @(`$env:INBOXPS_USERS -split ',') + @(`$sim.brokenUsers | Where-Object { `$_ -like 'outofscope@*' -or `$_ -like 'nolicense@*' })
Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl -Verbose
try { Connect-InboxImpersonation -Organization contoso -Authority `$sim.authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret (ConvertTo-SecureString '$wrongSecret' -AsPlainText -Force) -ServiceAccount `$sim.firstMailbox -Verbose } catch { `$_ | Format-List * -Force | Out-String }
Connect-InboxImpersonation -Organization contoso -Authority `$sim.authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -ClientSecret (ConvertTo-SecureString `$sim.clientSecret -AsPlainText -Force) -ServiceAccount `$sim.firstMailbox -Verbose | Format-List * -Force | Out-String

Set-InboxAccessType -Organization certorg -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl
Connect-InboxImpersonation -Organization certorg -Authority `$sim.authority -TenantId `$sim.tenantId -ClientId `$sim.clientId -CertificatePath `$sim.certificatePath -CertificatePassword (ConvertTo-SecureString `$sim.certificatePassword -AsPlainText -Force) -ServiceAccount `$sim.firstMailbox -Verbose | Format-List * -Force | Out-String

Set-InboxAccessType -Organization tokenorg -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl
Connect-InboxImpersonation -Organization tokenorg -AccessToken `$token -ServiceAccount `$sim.firstMailbox -Verbose | Format-List * -Force | Out-String

Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation -EwsUrl `$sim.ewsUrl
try { Connect-InboxImpersonation -Organization onprem -Credential ([pscredential]::new(`$sim.serviceAccount, (ConvertTo-SecureString '$wrongPassword' -AsPlainText -Force))) -Verbose } catch { `$_ | Format-List * -Force | Out-String }
Connect-InboxImpersonation -Organization onprem -Credential ([pscredential]::new(`$sim.serviceAccount, (ConvertTo-SecureString `$sim.serviceAccountPassword -AsPlainText -Force))) -Verbose | Format-List * -Force | Out-String

Set-InboxAccessType -Organization delegated -AccessType OAuthImpersonation -EwsUrl `$sim.ewsUrl
Connect-InboxImpersonation -Organization delegated -DeviceCode -Authority `$sim.authority -TenantId `$sim.tenantId -ClientId `$sim.delegatedClientId -Verbose | Format-List * -Force | Out-String
`$null = Wait-Job `$approver -Timeout 60

# The managed identity of a runbook: MSAL sends IDENTITY_HEADER's secret to IDENTITY_ENDPOINT.
Set-InboxAccessType -Organization managed -AccessType OAuthAppOnly -EwsUrl `$sim.ewsUrl
`$env:IDENTITY_ENDPOINT = `$sim.managedIdentityEndpoint; `$env:IDENTITY_HEADER = `$sim.managedIdentityHeader
Connect-InboxImpersonation -Organization managed -ManagedIdentity -ServiceAccount `$sim.firstMailbox -Verbose | Format-List * -Force | Out-String
`$env:IDENTITY_ENDPOINT = `$null; `$env:IDENTITY_HEADER = `$null
# Which sign-ins hold now (the test asserts every one that should has succeeded).
Get-InboxConnection | ForEach-Object { "connection `$(`$_.Organization) `$(`$_.Status)" }

# contoso also writes each message as an .eml file: mail bodies on disk, which must be owner-only like the store.
`$mime = @{ IncludeMime = `$true; ContentPath = (Join-Path `$env:INBOXPS_HOME 'content') }
foreach (`$organization in 'contoso', 'certorg', 'tokenorg', 'onprem', 'delegated') {
    `$withMime = if (`$organization -eq 'contoso') { `$mime } else { @{} }
    `$users | Start-InboxSync -Organization `$organization @withMime -Verbose | ForEach-Object { `$_ | Format-List * -Force | Out-String; if (`$_.GetError()) { `$_.GetError() | Format-List * -Force | Out-String } }
}
`$users | Test-InboxImpersonation -Organization contoso -Verbose | Format-List * -Force | Out-String
# The progress stream too: a thread job keeps the progress records a console would only draw. Its runspace signs in
# on its own (with the password: a leak of it into a progress record would show).
`$progressJob = Start-ThreadJob -ArgumentList (Get-Module InboxPS).Path, `$sim, `$users -ScriptBlock {
    param(`$manifest, `$sim, `$users)
    Import-Module `$manifest
    `$ProgressPreference = 'Continue'
    `$null = Connect-InboxImpersonation -Organization onprem -Credential ([pscredential]::new(`$sim.serviceAccount, (ConvertTo-SecureString `$sim.serviceAccountPassword -AsPlainText -Force)))
    `$null = `$users | Start-InboxSync -Organization onprem -ErrorAction SilentlyContinue
}
`$null = Wait-Job `$progressJob -Timeout 120
foreach (`$record in `$progressJob.Progress) { "PROGRESS: `$(`$record.Activity) | `$(`$record.StatusDescription) | `$(`$record.CurrentOperation)" }
"progress records: `$(@(`$progressJob.Progress).Count)"
Get-InboxConnection | Format-List * -Force | Out-String
Get-InboxOrganization | Format-List * -Force | Out-String
Get-InboxSyncStatus -Organization contoso | Format-List * -Force | Out-String
foreach (`$record in `$Error) {
    `$record | Format-List * -Force | Out-String
    `$record.Exception.ToString()
    `$record.Exception | Format-List * -Force | Out-String
}
Disconnect-InboxImpersonation -Organization certorg -Confirm:`$false -Verbose
'sign-ins done'
"@
        $transcript = $run.Output -join "`n"
        $givenToken = Get-Content -Raw -LiteralPath $givenTokenFile
        Remove-Item -LiteralPath $givenTokenFile

        # The tokens InboxPS obtained live only in the owner-only token caches (on Linux and macOS, plain JSON there).
        $cacheFiles = @(Get-ChildItem -LiteralPath (Join-Path $storeHome 'tokens') -File -ErrorAction SilentlyContinue)
        $cachedTokens = foreach ($file in $cacheFiles) {
            $cache = Get-Content -Raw -LiteralPath $file.FullName | ConvertFrom-Json
            foreach ($section in 'AccessToken', 'RefreshToken', 'IdToken') {
                if ($cache.PSObject.Properties[$section]) { $cache.$section.PSObject.Properties.Value | ForEach-Object secret }
            }
        }
        $secrets = [ordered]@{
            'client secret'               = $sim.clientSecret
            'wrong client secret'         = $wrongSecret
            'certificate password'        = $sim.certificatePassword
            'service account password'    = $sim.serviceAccountPassword
            'wrong password'              = $wrongPassword
            'access token given with -AccessToken' = $givenToken
        }
        $i = 0
        foreach ($token in $cachedTokens) { $secrets["token from the cache #$((++$i))"] = $token }
        # Issue 17: every token the identity endpoint issued during the run (cached or not), the client assertions
        # (JWTs signed with the certificate's key) it received, and the managed identity's header secret.
        $issued = Invoke-SimulatorControl -Simulator $sim -Path 'issued-secrets'
        $i = 0
        foreach ($token in $issued.tokens) { $secrets["token issued #$((++$i))"] = $token }
        $i = 0
        foreach ($assertion in $issued.clientAssertions) { $secrets["client assertion #$((++$i))"] = $assertion }
        $secrets['managed identity header'] = $sim.managedIdentityHeader
        # Issue 17: the encoded forms a secret travels in, too: URL-encoded (a form body) and, for Basic, base64 of
        # user:password (the Authorization header).
        foreach ($name in @($secrets.Keys)) {
            $escaped = [uri]::EscapeDataString([string]$secrets[$name])
            if ($escaped -ne $secrets[$name]) { $secrets["$name, URL-encoded"] = $escaped }
        }
        foreach ($password in $sim.serviceAccountPassword, $wrongPassword) {
            $secrets["Basic credentials ($($password.Substring(0, 3))...), base64"] = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("$($sim.serviceAccount):$password"))
        }

        function Find-Secret([string] $Text) {
            # The names of the secrets found in the text, whole or as a recognisable piece (a token is long: its
            # signature alone would be enough to replay it).
            foreach ($name in $secrets.Keys) {
                $value = [string]$secrets[$name]
                $probe = if ($value.Length -gt 64) { $value.Substring($value.Length - 40) } else { $value }
                if ($Text.Contains($probe)) { $name }
            }
        }
    }

    AfterAll {
        Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    }

    It 'ran every sign-in and sync, so there was something to leak' {
        $run.Output | Should -Contain 'sign-ins done' -Because $transcript
        $transcript | Should -Match 'VERBOSE: '
        # Each EWS request at debug level, with its client-request-id.
        $transcript | Should -Match 'DEBUG: GetFolder \S+@\S+: HTTP 200 \(client-request-id '
        $cachedTokens.Count | Should -BeGreaterOrEqual 2
        $givenToken.Length | Should -BeGreaterThan 100
        $transcript | Should -Match 'EwsImpersonationDenied'
        # Every sign-in that should have succeeded did (a failed one would leave less to leak).
        foreach ($organization in 'contoso', 'certorg', 'tokenorg', 'onprem', 'delegated', 'managed') {
            $run.Output | Should -Contain "connection $organization Connected" -Because $transcript
        }
        $issued.tokens.Count | Should -BeGreaterOrEqual 6
        $issued.clientAssertions.Count | Should -BeGreaterOrEqual 1 -Because 'certorg signed in with the certificate'
        # The progress stream was captured, and its records are in the transcript the scan reads.
        [int](($run.Output | Where-Object { $_ -like 'progress records: *' }) -replace 'progress records: ') | Should -BeGreaterThan 0 -Because $transcript
        $transcript | Should -Match 'PROGRESS: '
        # The scan itself finds what it looks for.
        Find-Secret "before $($sim.clientSecret) after" | Should -Be 'client secret'
        Find-Secret ("Bearer " + $givenToken.Substring(20)) | Should -Contain 'access token given with -AccessToken'
    }

    It 'shows no secret in any stream, error record or exception' {
        @(Find-Secret $transcript) | Should -BeNullOrEmpty
    }

    It 'keeps no secret in the store or anywhere else under INBOXPS_HOME but the token caches' {
        $files = @(Get-ChildItem -LiteralPath $storeHome -Recurse -File | Where-Object { $_.FullName -notin $cacheFiles.FullName })
        $files.Name | Should -Contain 'inboxps.db'
        foreach ($file in $files) {
            $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
            foreach ($encoding in [System.Text.Encoding]::UTF8, [System.Text.Encoding]::Unicode) {
                @(Find-Secret $encoding.GetString($bytes)) | Should -BeNullOrEmpty -Because "$($file.Name) must not hold a secret ($($encoding.EncodingName))"
            }
        }
    }

    It 'never writes a client secret, password or certificate password to the token caches either' {
        foreach ($file in $cacheFiles) {
            $text = [System.IO.File]::ReadAllText($file.FullName)
            foreach ($name in 'client secret', 'certificate password', 'service account password', 'wrong password', 'wrong client secret') {
                $text.Contains([string]$secrets[$name]) | Should -BeFalse -Because "$($file.Name) must not hold the $name"
            }
        }
    }

    It 'keeps the store and every .eml file owner-only (issue 17)' -Skip:$IsWindows {
        (Get-Item -LiteralPath (Join-Path $storeHome 'inboxps.db')).UnixMode | Should -Be '-rw-------'
        $content = Join-Path $storeHome 'content'
        $eml = @(Get-ChildItem -LiteralPath $content -Recurse -File -Filter *.eml)
        $eml.Count | Should -BeGreaterThan 0 -Because 'contoso synced with -IncludeMime'
        foreach ($file in $eml) { $file.UnixMode | Should -Be '-rw-------' }
        foreach ($folder in Get-ChildItem -LiteralPath $content -Recurse -Directory) { $folder.UnixMode | Should -Be 'drwx------' }
    }

    It 'keeps the token caches owner-only' -Skip:$IsWindows {
        $cacheFiles.Count | Should -BeGreaterThan 0
        foreach ($file in $cacheFiles) { (Get-Item -LiteralPath $file.FullName).UnixMode | Should -Be '-rw-------' }
        (Get-Item -LiteralPath (Join-Path $storeHome 'tokens')).UnixMode | Should -Be 'drwx------'
    }
}

Describe 'Credentials over plain http' {
    # Set-InboxAccessType refuses the address before any credential is asked for; the EWS client refuses again on its
    # own (BasicAuthRequiresHttps, BearerAuthRequiresHttps: tests/InboxPS.Core.Tests/Ews/EwsClientRequestTests.cs).
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'refuses a plain-http EWS address for <AccessType> with InsecureEwsUrl' -TestCases @(
        @{ AccessType = 'BasicImpersonation' }, @{ AccessType = 'OAuthAppOnly' }, @{ AccessType = 'OAuthImpersonation' }
    ) {
        $record = { Set-InboxAccessType -Organization onprem -AccessType $AccessType -EwsUrl 'http://mail.contoso.test/EWS/Exchange.asmx' } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'InsecureEwsUrl,InboxPS.Commands.SetInboxAccessTypeCommand'
        @(Get-InboxOrganization) | Should -HaveCount 0
    }

    It 'allows plain http only to this machine (a test server, a local proxy)' {
        $org = Set-InboxAccessType -Organization lab -AccessType BasicImpersonation -EwsUrl 'http://127.0.0.1:8080/EWS/Exchange.asmx' -WarningAction SilentlyContinue
        $org.EwsUrl.AbsoluteUri | Should -BeExactly 'http://127.0.0.1:8080/EWS/Exchange.asmx'
    }
}

Describe 'Hostile EWS answers' {
    # A process per case: the memory check reads the peak working set, which only a fresh process starts at zero.
    It 'fail the one mailbox that got <Kind> with <ErrorId>, and the others sync' -ForEach @(
        @{ Kind = 'EntityExpansion'; ErrorId = 'EwsInvalidResponse' }
        @{ Kind = 'GiantBody'; ErrorId = 'EwsResponseTooLarge' }
        @{ Kind = 'EndlessBody'; ErrorId = 'EwsResponseTooLarge' }
    ) {
        $victim = $healthy[1]
        # Every request to the victim gets the hostile answer, retries included.
        $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults/inject' -Method Post -Body @{ kind = $Kind; count = 50; mailbox = $victim }
        try {
            $run = Invoke-AsAdmin -StoreHome (New-TestStoreHome) -Environment @{ INBOXPS_USERS = ($healthy[0..3] -join ',') } -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $sim.firstMailbox
$before = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
$env:INBOXPS_USERS -split ',' | Start-InboxSync -ThrottleLimit 4 -ErrorAction SilentlyContinue | ForEach-Object { "result $($_.Mailbox) $($_.Status) $($_.ErrorId)" }
$grown = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 - $before
"grown=$([int]($grown / 1MB))"
'@
        }
        finally {
            $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults/clear' -Method Post
        }
        $run.Output | Should -Contain "result $victim Failed $ErrorId" -Because ($run.Output -join "`n")
        @($run.Output | Where-Object { $_ -like 'result * Synced *' }).Count | Should -Be 3
        # The client reads at most 64 MB of an answer; holding one in memory would grow the process by at least that.
        [int](($run.Output | Where-Object { $_ -like 'grown=*' }) -replace 'grown=') | Should -BeLessThan 64
    }
}
