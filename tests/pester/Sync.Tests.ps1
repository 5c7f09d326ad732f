BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $startCommand = 'InboxPS.Commands.StartInboxSyncCommand'
    $sim = Start-TestSimulator -ArgumentList '--users', '24', '--items-per-folder', '12', '--broken', '--backoff-ms', '300'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })

    function Invoke-Synced {
        # A fresh pwsh that trusts the simulator's CA (as an admin trusts an internal CA), with a private store, an
        # app-only organization 'contoso' connected with the client secret, and $sim / $users describing the tenant.
        param([Parameter(Mandatory)] [string] $Script, [string] $StoreHome = (New-TestStoreHome))
        $prelude = @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$users = $env:INBOXPS_TEST_USERS | ConvertFrom-Json
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $users[0].primarySmtpAddress
'@
        $environment = @{
            INBOXPS_HOME = $StoreHome; SSL_CERT_FILE = $sim.caCertificatePath
            INBOXPS_TEST_SIM = $simJson; INBOXPS_TEST_USERS = ($users | ConvertTo-Json -Compress -Depth 4)
        }
        Invoke-FreshPwsh -Environment $environment -Script ($prelude + "`n" + $Script)
    }

    function Get-TruthCount([string] $Mailbox) {
        # Items the simulator holds in the folders Start-InboxSync syncs by default.
        @('inbox', 'sentitems') | ForEach-Object {
            @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$Mailbox/items?folder=$_").Count
        } | Measure-Object -Sum | Select-Object -ExpandProperty Sum
    }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Start-InboxSync' {
    It 'syncs Get-Mailbox-shaped objects, CSV rows and strings, one result per user, and bad rows fail alone' {
        $run = Invoke-Synced -Script @'
$records = @(
    [pscustomobject]@{ Identity = $users[1].displayName; PrimarySmtpAddress = $users[1].primarySmtpAddress; UserPrincipalName = $users[1].userPrincipalName; Alias = 'u1'; ExchangeGuid = [guid]::NewGuid() }
    [pscustomobject]@{ EmailAddress = $users[2].primarySmtpAddress }
    $users[3].primarySmtpAddress
    [pscustomobject]@{ Mail = $users[3].primarySmtpAddress.ToUpperInvariant() }
    [pscustomobject]@{ UserPrincipalName = $users[4].userPrincipalName }
    # A mailbox from a remote session: deserialized, PrimarySmtpAddress an address object rather than a string.
    $remote = [pscustomobject]@{ Identity = 'Remote User'; PrimarySmtpAddress = [System.Net.Mail.MailAddress]::new($users[5].primarySmtpAddress) }
    $remote.PSObject.TypeNames.Insert(0, 'Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox')
    $remote
    [pscustomobject]@{ PrimarySmtpAddress = 'not an address' }
    [pscustomobject]@{ ExternalDirectoryObjectId = '0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10' }
)
$results = $records | Start-InboxSync -Organization contoso -ThrottleLimit 4 -ErrorVariable syncErrors -ErrorAction SilentlyContinue
"results=$(@($results).Count)"
"synced=$(@($results | Where-Object Status -eq 'Synced').Count)"
"activated=$(@($results | Where-Object Activated).Count)"
"type=$(@($results)[0].GetType().FullName)"
"errors=$(($syncErrors | ForEach-Object FullyQualifiedErrorId | Sort-Object) -join '|')"
"categories=$(($syncErrors | ForEach-Object { $_.CategoryInfo.Category } | Sort-Object -Unique) -join '|')"
$csv = Join-Path $env:INBOXPS_HOME 'sync.csv'
$results | Export-Csv $csv -NoTypeInformation
"csvrows=$(@(Import-Csv $csv).Count)"
"columns=$((Import-Csv $csv | Select-Object -First 1).PSObject.Properties.Name -join ',')"
"status=$((Get-InboxSyncStatus -Organization contoso | Where-Object Status -eq 'Synced' | Measure-Object).Count)"
$first = $results | Where-Object Mailbox -eq $users[1].primarySmtpAddress
"first=$($first.Folders) $($first.ItemsAdded)"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'results=7'
        $run.Output | Should -Contain 'synced=5'
        $run.Output | Should -Contain 'activated=5'
        $run.Output | Should -Contain 'type=InboxPS.Core.Sync.MailboxSyncResult'
        $run.Output | Should -Contain "errors=MailboxAddressInvalid,$startCommand|MailboxIdentityUnresolvable,$startCommand"
        $run.Output | Should -Contain 'categories=InvalidArgument'
        $run.Output | Should -Contain 'csvrows=7'
        $run.Output | Should -Contain 'columns=Organization,Mailbox,Status,Activated,Folders,ItemsAdded,ItemsUpdated,ItemsDeleted,ThrottledFor,Attempts,Duration,ErrorId,Message,RecommendedAction'
        $run.Output | Should -Contain 'status=5'
        $run.Output | Should -Contain "first=2 $(Get-TruthCount $users[1].primarySmtpAddress)"
    }

    It 'reports broken mailboxes as failed results and errors with the reason, and retries only the failed ones' {
        $broken = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -in 'OutOfScope', 'NoLicense')
        $storeHome = New-TestStoreHome
        $run = Invoke-Synced -StoreHome $storeHome -Script (@'
$targets = @('{0}', '{1}', $users[5].primarySmtpAddress)
$results = $targets | Start-InboxSync -ErrorAction SilentlyContinue -ErrorVariable syncErrors
"failed=$(@($results | Where-Object Status -eq 'Failed').Count)"
"errorids=$(($syncErrors | ForEach-Object FullyQualifiedErrorId | Sort-Object -Unique) -join '|')"
"denied=$(($results | Where-Object ErrorId -eq 'EwsImpersonationDenied').RecommendedAction)"
$retry = Get-InboxSyncStatus -Organization contoso -Status Failed | Start-InboxSync -ErrorAction SilentlyContinue
"retried=$(@($retry).Count) $((@($retry.Mailbox) | Sort-Object) -join ',')"
'@ -f $broken[0].primarySmtpAddress, $broken[1].primarySmtpAddress)
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'failed=2'
        ($run.Output | Where-Object { $_ -like 'errorids=*' }) | Should -BeLike "*EwsImpersonationDenied,$startCommand*"
        ($run.Output | Where-Object { $_ -like 'denied=*' }) | Should -BeLike '*ApplicationImpersonation*'
        $run.Output | Should -Contain "retried=2 $((@($broken.primarySmtpAddress) | Sort-Object) -join ',')"
    }

    It 'with no input syncs every activated user incrementally, and -WhatIf changes nothing' {
        $storeHome = New-TestStoreHome
        $run = Invoke-Synced -StoreHome $storeHome -Script @'
$null = $users[6..8].primarySmtpAddress | Start-InboxSync
$whatIf = $users[9..10].primarySmtpAddress | Start-InboxSync -WhatIf
"whatif=$(($whatIf.Status | Sort-Object -Unique) -join ',') $(@($whatIf).Count)"
"roster=$(@(Get-InboxSyncStatus).Count)"
$again = Start-InboxSync
"again=$(@($again).Count) $(($again.Status | Sort-Object -Unique) -join ',') added=$(($again | Measure-Object ItemsAdded -Sum).Sum)"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'whatif=WhatIf 2'
        $run.Output | Should -Contain 'roster=3'
        $run.Output | Should -Contain 'again=3 Synced added=0'
    }

    It 'fits its default table in a 120-column console' {
        $run = Invoke-Synced -Script @'
$users[11].primarySmtpAddress, 'bad address' | Start-InboxSync -ErrorAction SilentlyContinue | Format-Table | Out-String -Width 120 -Stream | ForEach-Object { "line=$_" }
'@
        $lines = @($run.Output | Where-Object { $_ -like 'line=*' } | ForEach-Object { $_.Substring(5) })
        ($lines -join "`n") | Should -Match 'Mailbox\s+Status\s+New\s+Fldrs\s+Added\s+Upd\s+Del\s+Throttled\s+Duration\s+Message'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        ($lines -join "`n") | Should -Match 'bad address\s+Failed.*MailboxIdentityUnresolvable'
    }

    It 'stops promptly when the pipeline is stopped downstream, keeping what finished' {
        $run = Invoke-Synced -Script @'
$first = $users[12..16].primarySmtpAddress | Start-InboxSync -ThrottleLimit 1 | Select-Object -First 1
"first=$($first.Status)"
"roster=$(@(Get-InboxSyncStatus | Where-Object Status -eq 'Synced').Count)"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'first=Synced'
        [int](($run.Output | Where-Object { $_ -like 'roster=*' }) -replace 'roster=') | Should -BeLessThan 5
    }

    It 'converges after the syncing process is killed hard mid-run: nothing lost, nothing duplicated' {
        $storeHome = New-TestStoreHome
        $targets = @($users[17..22].primarySmtpAddress)
        $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults' -Method Post -Body @{ latencyMs = 60 }
        try {
            $process = Start-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome; SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson; INBOXPS_TEST_TARGETS = ($targets -join ',') } -Script @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount ($env:INBOXPS_TEST_TARGETS -split ',')[0]
$env:INBOXPS_TEST_TARGETS -split ',' | Start-InboxSync -ThrottleLimit 2 | ForEach-Object { "done=$($_.Mailbox)"; [Console]::Out.Flush() }
'@
            # Kill it (no cleanup, like a runbook worker dying) as soon as the first user is done.
            while (-not $process.HasExited) {
                $line = $process.StandardOutput.ReadLine()
                if ($null -eq $line -or $line -like 'done=*') { break }
            }
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.WaitForExit()
        }
        finally {
            $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults' -Method Post -Body @{ latencyMs = 0 }
        }

        $run = Invoke-Synced -StoreHome $storeHome -Script (@'
$rerun = '{0}' -split ',' | Start-InboxSync
"left=$(($rerun | Measure-Object ItemsAdded -Sum).Sum)"
Get-InboxSyncStatus | ForEach-Object {{ "user=$($_.Mailbox) $($_.Status) $($_.Items)" }}
'@ -f ($targets -join ','))
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        # The kill really cut the run short: the rerun still had items to add.
        [int](($run.Output | Where-Object { $_ -like 'left=*' }) -replace 'left=') | Should -BeGreaterThan 0
        foreach ($target in $targets) {
            $run.Output | Should -Contain "user=$target Synced $(Get-TruthCount $target)"
        }
    }
}

Describe 'Test-InboxImpersonation' {
    It 'checks each mailbox without activating anyone' {
        $outOfScope = (Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -eq 'OutOfScope').primarySmtpAddress
        $run = Invoke-Synced -Script (@'
$tests = $users[1].primarySmtpAddress, '{0}' | Test-InboxImpersonation
$tests | ForEach-Object {{ "test=$($_.Mailbox) $($_.CanImpersonate) $($_.ErrorId)" }}
"roster=$(@(Get-InboxSyncStatus -IncludeInactive).Count)"
'@ -f $outOfScope)
        $run.Output | Should -Contain "test=$($users[1].primarySmtpAddress) True "
        $run.Output | Should -Contain "test=$outOfScope False EwsImpersonationDenied"
        $run.Output | Should -Contain 'roster=0'
    }
}

Describe 'Stop-InboxSync' {
    It 'deactivates users, and -RemoveData forgets their items' {
        $run = Invoke-Synced -Script @'
$null = $users[1..2].primarySmtpAddress | Start-InboxSync
Stop-InboxSync -Identity $users[1].primarySmtpAddress -Confirm:$false
Stop-InboxSync -Identity $users[2].primarySmtpAddress -RemoveData -Confirm:$false
"active=$(@(Get-InboxSyncStatus).Count)"
"all=$((Get-InboxSyncStatus -IncludeInactive | ForEach-Object { "$($_.Mailbox):$($_.Status)" }) -join ',')"
Stop-InboxSync -Identity nobody@contoso.test -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
"missing=$($e[0].FullyQualifiedErrorId)"
'@
        $run.Output | Should -Contain 'active=0'
        $run.Output | Should -Contain "all=$($users[1].primarySmtpAddress):Inactive"
        $run.Output | Should -Contain 'missing=MailboxNotOnRoster,InboxPS.Commands.StopInboxSyncCommand'
    }
}
