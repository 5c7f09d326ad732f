BeforeDiscovery {
    # The throwaway server build.ps1 -Task Test starts (tools/InboxPostgres.psm1). Without it a developer's run skips
    # these tests, saying how to get PostgreSQL; CI never skips them (the tests then fail on the missing server).
    $script:noServer = -not $env:INBOXPS_TEST_POSTGRES -and $env:CI -ne 'true'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    if (-not $env:INBOXPS_TEST_POSTGRES) {
        if ($env:CI -eq 'true') { throw 'INBOXPS_TEST_POSTGRES is not set: build.ps1 -Task Test starts the test PostgreSQL server in CI.' }
        Write-Host 'Skipping the shared-store tests: no test PostgreSQL server. Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) and run build.ps1 -Task Test.' -ForegroundColor Yellow
        return
    }
    Import-Module (Join-Path $script:RepoRoot 'tools/InboxPostgres.psm1')

    # The superuser connection string, split: the module gets the address in INBOXPS_STORE and the password apart.
    $server = @{}
    foreach ($pair in $env:INBOXPS_TEST_POSTGRES -split ';') { $key, $value = $pair -split '=', 2; $server[$key.Trim()] = $value }
    $script:storePassword = $server.Password

    function New-TestDatabase {
        # A database of its own for one test, created with psql (the server's own client).
        $name = 'inboxps_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        $psql = Join-Path (Find-PostgresBin) 'psql'
        $env:PGPASSWORD = $server.Password
        try { & $psql -h $server.Host -p $server.Port -U $server.Username -d postgres -q -c "CREATE DATABASE $name" | Out-Null }
        finally { Remove-Item env:PGPASSWORD }
        if ($LASTEXITCODE -ne 0) { throw "psql could not create $name." }
        return "postgres://$($server.Username)@$($server.Host):$($server.Port)/$name"
    }

    $sim = Start-TestSimulator -ArgumentList '--users', '60', '--items-per-folder', '6', '--latency-ms', '15'
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress

    function Get-TruthCount([string] $Mailbox) {
        @('inbox', 'sentitems') | ForEach-Object {
            @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$Mailbox/items?folder=$_").Count
        } | Measure-Object -Sum | Select-Object -ExpandProperty Sum
    }

    # One worker: its own pwsh and its own sign-in, the shared store from the environment, every user piped in.
    $workerScript = @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $env:INBOXPS_TEST_SERVICE_ACCOUNT
$env:INBOXPS_TEST_TARGETS -split ',' | Start-InboxSync -Organization contoso -ThrottleLimit 3 |
    ForEach-Object { "result=$($_.Mailbox)|$($_.Status)|$($_.ItemsAdded)"; [Console]::Out.Flush() }
'@
}

AfterAll {
    if ($sim) { Stop-TestSimulator $sim }
}

Describe 'A shared PostgreSQL store' -Skip:$noServer {
    BeforeEach {
        $null = Enter-TestStore
        $env:INBOXPS_STORE = New-TestDatabase
        $env:INBOXPS_STORE_PASSWORD = $storePassword
    }
    AfterEach {
        Exit-TestStore
        Remove-Item env:INBOXPS_STORE, env:INBOXPS_STORE_PASSWORD -ErrorAction Ignore
    }

    It 'is what Get-InboxStore names, holds the organization, and never the password' {
        Connect-TestOrganization $sim
        $store = Get-InboxStore
        "$($store.Kind) $($store.Shared)" | Should -BeExactly 'PostgreSQL True'
        $store.Location | Should -BeExactly $env:INBOXPS_STORE
        (Get-InboxOrganization).Name | Should -Be 'contoso'
        $null = $users[0].primarySmtpAddress | Start-InboxSync
        $dump = Join-Path (New-TestStoreHome) 'dump.sql'
        $env:PGPASSWORD = $storePassword
        try { & (Join-Path (Find-PostgresBin) 'pg_dump') "--dbname=$($env:INBOXPS_STORE -replace '^postgres://', 'postgresql://')" -f $dump }
        finally { Remove-Item env:PGPASSWORD }
        $LASTEXITCODE | Should -Be 0
        (Get-Content -Raw $dump) | Should -Not -BeLike "*$storePassword*"
        (Get-Content -Raw $dump) | Should -BeLike "*$($users[0].primarySmtpAddress)*"
    }

    It 'refuses a wrong password with a clear error that does not repeat it' {
        $env:INBOXPS_STORE_PASSWORD = 'Wrong-Pa55word-Never-Printed'
        $failure = { Get-InboxOrganization } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -BeLike 'StorePostgresSignInFailed,*'
        "$failure $($failure.Exception) $($failure.ErrorDetails)" | Should -Not -BeLike '*Wrong-Pa55word*'
        "$failure" | Should -BeLike "*$($env:INBOXPS_STORE)*"
    }

    It 'Set-InboxStore takes a PSCredential for this session only, and -FromEnvironment goes back' {
        $address = $env:INBOXPS_STORE
        Remove-Item env:INBOXPS_STORE, env:INBOXPS_STORE_PASSWORD
        $credential = [pscredential]::new('inboxps', (ConvertTo-SecureString $storePassword -AsPlainText -Force))
        $chosen = Set-InboxStore -PostgreSql -ConnectionString $address -Credential $credential
        "$($chosen.Kind) $($chosen.Location)" | Should -BeExactly "PostgreSQL $address"
        ($chosen | Out-String) | Should -Not -BeLike "*$storePassword*"
        Connect-TestOrganization $sim
        (Get-InboxOrganization).Name | Should -Be 'contoso'
        (Set-InboxStore -FromEnvironment).Kind | Should -Be 'SQLite'
        @(Get-InboxOrganization) | Should -HaveCount 0
    }

    It 'three workers split one organization; one killed mid-run and restarted loses nothing and duplicates nothing' {
        # The service account's own mailbox is checked by every worker's sign-in at once: it is not among the targets.
        $serviceAccount = $users[0].primarySmtpAddress
        Connect-TestOrganization $sim -ServiceAccount $serviceAccount
        $targets = @($users[1..($users.Count - 1)].primarySmtpAddress)
        $environment = @{ INBOXPS_HOME = (New-TestStoreHome); INBOXPS_STORE = $env:INBOXPS_STORE; INBOXPS_STORE_PASSWORD = $storePassword
            INBOXPS_TEST_SERVICE_ACCOUNT = $serviceAccount
            INBOXPS_TEST_SIM = $simJson; INBOXPS_TEST_TARGETS = ($targets -join ','); INBOXPS_LEASE_SECONDS = '4' }
        $workers = foreach ($name in 'w1', 'w2', 'w3') {
            $environment.INBOXPS_WORKER = $name
            $environment.INBOXPS_HOME = New-TestStoreHome
            [pscustomobject]@{ Name = $name; Process = Start-FreshPwsh -Environment $environment -Script $workerScript; Lines = [System.Collections.Generic.List[string]]::new() }
        }
        # Hard-kill w1 (no cleanup, like a sandbox that is stopped) after its third result; then start it again.
        $w1 = $workers[0]
        while (-not $w1.Process.HasExited) {
            $line = $w1.Process.StandardOutput.ReadLine()
            if ($null -eq $line) { break }
            if ($line -like 'result=*') { $w1.Lines.Add($line) }
            if ($w1.Lines.Count -ge 3) { break }
        }
        $w1.Process.Kill($true)
        $w1.Process.WaitForExit()
        $environment.INBOXPS_WORKER = 'w1'
        $environment.INBOXPS_HOME = New-TestStoreHome
        $restarted = [pscustomobject]@{ Name = 'w1'; Process = Start-FreshPwsh -Environment $environment -Script $workerScript; Lines = [System.Collections.Generic.List[string]]::new() }
        $transcript = [System.Text.StringBuilder]::new()
        foreach ($worker in @($workers[1], $workers[2], $restarted)) {
            $output = $worker.Process.StandardOutput.ReadToEnd()
            $worker.Process.WaitForExit()
            $worker.Process.ExitCode | Should -Be 0 -Because $output
            foreach ($line in $output -split "`r?`n") {
                if ($line -like 'result=*') { $worker.Lines.Add($line) } elseif ($line) { $null = $transcript.AppendLine("$($worker.Name): $line") }
            }
        }

        # Every user ends synced in the store, holding exactly the simulator's items: none lost, none twice.
        $status = @(Get-InboxSyncStatus -Organization contoso)
        $status | Should -HaveCount $targets.Count
        foreach ($target in $targets) {
            $user = $status | Where-Object Mailbox -eq $target
            "$($user.Status) $($user.Items)" | Should -BeExactly "Synced $(Get-TruthCount $target)" -Because "$target must hold every item once"
            $user.Worker | Should -BeIn @('w1', 'w2', 'w3')
        }
        # The survivors and the restarted worker each synced some users and left the others to the rest.
        $results = @($workers[1], $workers[2], $restarted | ForEach-Object { $name = $_.Name; $_.Lines | ForEach-Object { "$name|$_" } })
        foreach ($worker in 'w2', 'w3') { @($results | Where-Object { $_ -like "$worker|*|Synced|*" }).Count | Should -BeGreaterThan 0 -Because $transcript }
        @($results | Where-Object { $_ -like '*|Skipped|*' }).Count | Should -BeGreaterThan 0
        # The restarted w1 joined the others' round: no user was synced by two of the runs that finished.
        $syncedTwice = $results | Where-Object { $_ -like '*|Synced|*' } | ForEach-Object { ($_ -split '\|')[1] } | Group-Object | Where-Object Count -gt 1
        @($syncedTwice).Count | Should -Be 0 -Because "a worker joining the round leaves alone what the others synced ($($syncedTwice.Name -join ', '))"
        # No mailbox was ever worked on by two workers at once: each sends one request at a time per mailbox.
        $metrics = Invoke-SimulatorControl -Simulator $sim -Path 'metrics'
        $peaks = $metrics.peakConcurrencyByMailbox.PSObject.Properties | Where-Object Name -in $targets
        @($peaks).Count | Should -Be $targets.Count
        ($peaks.Value | Measure-Object -Maximum).Maximum | Should -Be 1
        $metrics.backOffViolations | Should -Be 0
        # A run record per worker run: the killed one without an end, the others with their totals.
        $runs = @(Get-InboxSyncRun -Organization contoso)
        $runs | Should -HaveCount 4
        @($runs | Where-Object { $null -eq $_.Ended }) | Should -HaveCount 1
        ($runs | Where-Object Ended | Measure-Object Users -Sum).Sum | Should -Be (3 * $targets.Count)
    }
}
