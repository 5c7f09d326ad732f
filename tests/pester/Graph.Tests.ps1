BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $startCommand = 'InboxPS.Commands.StartInboxSyncCommand'
    $connectCommand = 'InboxPS.Commands.ConnectInboxImpersonationCommand'
    $sim = Start-TestSimulator -ArgumentList '--users', '210', '--items-per-folder', '6', '--broken', '--backoff-ms', '300'
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
    $secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force

    function Set-GraphOrganization([string] $Organization = 'contoso') {
        # What an admin types, with -GraphUrl pointing at the simulator's Graph instead of graph.microsoft.com.
        Set-InboxAccessType -Organization $Organization -AccessType GraphAppOnly -GraphUrl $sim.graphUrl
    }

    function Connect-GraphOrganization {
        [CmdletBinding()]
        param([string] $Organization = 'contoso')
        $null = Set-GraphOrganization $Organization
        Connect-InboxImpersonation -Organization $Organization -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
            -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress
    }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Set-InboxAccessType -AccessType GraphAppOnly' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'is offered by tab completion beside the EWS access types, with -GraphUrl' {
        $line = 'Set-InboxAccessType -Organization contoso -AccessType '
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'GraphAppOnly'
        $completions | Should -Contain 'OAuthAppOnly'
        (Get-Command Set-InboxAccessType).Parameters.Keys | Should -Contain 'GraphUrl'
    }

    It 'saves the Graph URL, warns about nothing, and keeps the EWS URL for a switch back' {
        $profile = Set-GraphOrganization -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
        "$($profile.AccessType) $($profile.GraphUrl)" | Should -BeExactly "GraphAppOnly $($sim.graphUrl)"
        (Get-InboxOrganization contoso).GraphUrl | Should -Be $sim.graphUrl
    }

    It 'warns an Exchange Online organization on EWS about 1 April 2027 with the one command that switches' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -BeLike '*1 April 2027*'
        "$warnings" | Should -BeLike '*Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly*'
    }

    It 'refuses a plain-http Graph URL with InsecureGraphUrl' {
        $record = { Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly -GraphUrl 'http://graph.contoso.com/v1.0/' } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'InsecureGraphUrl,InboxPS.Commands.SetInboxAccessTypeCommand'
    }
}

Describe 'Connect-InboxImpersonation over Graph' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'connects with a client secret, a certificate file, a managed identity and a given token' {
        $c = Connect-GraphOrganization
        "$($c.SignInMethod) $($c.AuthType) $($c.Status)" | Should -BeExactly 'ClientSecret AppOnly Connected'

        $null = Set-GraphOrganization
        $c = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
            -CertificatePath $sim.certificatePath -CertificatePassword (ConvertTo-SecureString $sim.certificatePassword -AsPlainText -Force) `
            -ServiceAccount $users[0].primarySmtpAddress
        "$($c.SignInMethod) $($c.Status)" | Should -BeExactly 'Certificate Connected'

        $env:IDENTITY_ENDPOINT = $sim.managedIdentityEndpoint
        $env:IDENTITY_HEADER = $sim.managedIdentityHeader
        try {
            $c = Connect-InboxImpersonation -Organization contoso -ManagedIdentity -ServiceAccount $users[0].primarySmtpAddress
        }
        finally {
            $env:IDENTITY_ENDPOINT = $null
            $env:IDENTITY_HEADER = $null
        }
        "$($c.SignInMethod) $($c.AppId) $($c.Status)" | Should -BeExactly "ManagedIdentity $($sim.managedIdentityClientId) Connected"

        # A token the admin got elsewhere (as Get-MsalToken or az account get-access-token would): client credentials for Graph.
        $client = [InboxPS.Tests.SimulatorTrust]::CreateClient($sim.caCertificatePath)
        try {
            $fields = [System.Collections.Generic.Dictionary[string, string]]::new()
            $fields['grant_type'] = 'client_credentials'
            $fields['client_id'] = $sim.clientId
            $fields['client_secret'] = $sim.clientSecret
            $fields['scope'] = 'https://graph.microsoft.com/.default'
            $form = [System.Net.Http.FormUrlEncodedContent]::new($fields)
            $answer = $client.PostAsync([Uri]"$($sim.authority.TrimEnd('/'))/oauth2/v2.0/token", $form).GetAwaiter().GetResult()
            $token = $answer.Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json
        }
        finally {
            $client.Dispose()
        }
        $c = Connect-InboxImpersonation -Organization contoso -AccessToken (ConvertTo-SecureString $token.access_token -AsPlainText -Force) -ServiceAccount $users[0].primarySmtpAddress
        "$($c.SignInMethod) $($c.AppId) $($c.Status)" | Should -BeExactly "AccessToken $($sim.clientId) Connected"
    }

    It 'warns that Mail.ReadBasic.All alone syncs metadata only' {
        $null = Invoke-SimulatorControl -Simulator $sim -Path 'graph/permissions' -Method Post -Body @{ clientId = $sim.clientId; roles = @('Mail.ReadBasic.All') }
        try {
            $null = Connect-GraphOrganization -WarningVariable warnings -WarningAction SilentlyContinue
        }
        finally {
            $null = Invoke-SimulatorControl -Simulator $sim -Path 'graph/permissions' -Method Post -Body @{ clientId = $sim.clientId; roles = @('Mail.Read', 'User.Read.All') }
        }
        "$warnings" | Should -BeLike '*metadata only*'
    }

    It 'refuses a test mailbox outside the app''s scope with GraphAccessNotGranted and the RBAC for Applications commands' {
        $outside = @($sim.brokenUsers | Where-Object { $_ -like 'outofscope@*' })[0]
        $null = Set-GraphOrganization
        $record = { Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
                -ClientSecret $secret -ServiceAccount $outside } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "GraphAccessNotGranted,$connectCommand"
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*New-ManagementRoleAssignment -App*"Application Mail.Read"*-CustomResourceScope*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*tenant-wide Mail.Read consent*overrides*'
        { Get-InboxConnection -Organization contoso -ErrorAction Stop } | Should -Throw '*not connected*'
    }
}

Describe 'Test-InboxImpersonation and Start-InboxSync over Graph' {
    BeforeEach {
        $storeHome = Enter-TestStore
        $null = Connect-GraphOrganization
    }
    AfterEach { Exit-TestStore }

    It 'takes Get-MgUser output (Id, Mail, UserPrincipalName; Id alone too) and reports the broken users with Graph error ids' {
        $outside = @($sim.brokenUsers | Where-Object { $_ -like 'outofscope@*' })[0]
        $mgUsers = @(
            [pscustomobject]@{ Id = [guid]::NewGuid().ToString(); DisplayName = $users[1].displayName; Mail = $users[1].primarySmtpAddress; UserPrincipalName = $users[1].userPrincipalName }
            [pscustomobject]@{ Id = [guid]::NewGuid().ToString(); DisplayName = 'No mail'; Mail = $null; UserPrincipalName = $users[2].userPrincipalName }
            [pscustomobject]@{ Id = [guid]::NewGuid().ToString(); DisplayName = 'Outside'; Mail = $outside; UserPrincipalName = $outside }
            # Get-MgUser -Property Id: Graph addresses the user by that id.
            [pscustomobject]@{ Id = $users[13].objectId; DisplayName = 'Id only'; Mail = $null; UserPrincipalName = $null }
        )
        $tests = @($mgUsers | Test-InboxImpersonation -ErrorAction SilentlyContinue)
        $tests | Should -HaveCount 4
        @($tests | Where-Object CanImpersonate) | Should -HaveCount 3
        ($tests | Where-Object { -not $_.CanImpersonate }).ErrorId | Should -BeExactly 'GraphAccessDenied'
        @(Get-InboxSyncStatus -Organization contoso) | Should -HaveCount 0

        $results = @($mgUsers | Start-InboxSync -Organization contoso -ErrorVariable syncErrors -ErrorAction SilentlyContinue)
        $results | Should -HaveCount 4
        @($results | Where-Object Status -eq 'Synced') | Should -HaveCount 3
        ($results | Where-Object Mailbox -eq $users[13].objectId).ItemsAdded | Should -Be (Get-TestTruthCount $sim $users[13].primarySmtpAddress)
        $syncErrors.FullyQualifiedErrorId | Should -Contain "GraphAccessDenied,$startCommand"
        ($results | Where-Object Mailbox -eq $users[1].primarySmtpAddress).ItemsAdded | Should -Be (Get-TestTruthCount $sim $users[1].primarySmtpAddress)
    }

    It 'reruns incrementally with no input after injected changes, and exports MIME with -IncludeMime' {
        $mailbox = $users[3].primarySmtpAddress
        $first = $mailbox | Start-InboxSync
        $first.Status | Should -Be 'Synced'
        $null = Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$mailbox/changes" -Method Post -Body @{ folder = 'inbox'; creates = 3; deletes = 2; readFlagChanges = 2 }
        $again = Start-InboxSync
        "$($again.Status) $($again.ItemsAdded) $($again.ItemsDeleted)" | Should -BeExactly 'Synced 3 2'

        $content = Join-Path $storeHome 'content'
        $mime = $users[4].primarySmtpAddress | Start-InboxSync -Folder Inbox -IncludeMime -ContentPath $content
        $mime.Status | Should -Be 'Synced'
        @(Get-ChildItem $content -Recurse -Filter *.eml).Count | Should -Be @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$($users[4].primarySmtpAddress)/items?folder=inbox").Count
    }

    It 'converges after the syncing process is killed hard mid-run over Graph: nothing lost, nothing duplicated' {
        # Graph needs few requests per user here: each one slower than over EWS.
        Assert-SyncConvergesAfterKill -Simulator $sim -StoreHome $storeHome -Targets @($users[7..12].primarySmtpAddress) `
            -LatencyPath 'graph/throttling' -LatencyMs 300
    }

    It 'switches EWS -> Graph -> EWS, re-baselining every user with nothing duplicated or lost' {
        $mailboxes = @($users[5].primarySmtpAddress, $users[6].primarySmtpAddress)
        Connect-TestOrganization $sim
        @($mailboxes | Start-InboxSync | Where-Object Status -eq 'Synced') | Should -HaveCount 2
        $sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
        function Get-StoredMessageIds([string] $Mailbox) {
            $connection = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')::new("Data Source=$(Join-Path $storeHome 'inboxps.db');Pooling=False")
            $connection.Open()
            try {
                $command = $connection.CreateCommand()
                $command.CommandText = "SELECT internet_message_id FROM items WHERE mailbox = '$Mailbox'"
                $reader = $command.ExecuteReader()
                while ($reader.Read()) { $reader.GetString(0) }
                $reader.Dispose()
            }
            finally { $connection.Dispose() }
        }

        foreach ($accessType in 'GraphAppOnly', 'OAuthAppOnly') {
            $endpoint = if ($accessType -eq 'GraphAppOnly') { @{ GraphUrl = $sim.graphUrl } } else { @{ EwsUrl = $sim.ewsUrl } }
            $null = Set-InboxAccessType -Organization contoso -AccessType $accessType @endpoint -WarningVariable switchWarnings -WarningAction SilentlyContinue
            "$switchWarnings" | Should -BeLike '*re-baselines every activated user*'
            $null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
                -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress
            (Get-InboxSyncStatus -Organization contoso).Status | Sort-Object -Unique | Should -BeExactly 'Rebaselining'
            $null = Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$($mailboxes[0])/changes" -Method Post -Body @{ folder = 'inbox'; creates = 2; deletes = 1 }

            $run = @(Start-InboxSync)

            $run | Should -HaveCount 2
            @($run | Where-Object { $_.Status -eq 'Synced' -and $_.Rebaselined }) | Should -HaveCount 2
            $changed = $run | Where-Object Mailbox -eq $mailboxes[0]
            "$($changed.ItemsAdded) $($changed.ItemsDeleted)" | Should -BeExactly '2 1'
            foreach ($mailbox in $mailboxes) {
                $truth = @('inbox', 'sentitems' | ForEach-Object { Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$mailbox/items?folder=$_" }).internetMessageId | Sort-Object
                @(Get-StoredMessageIds $mailbox | Sort-Object) | Should -Be @($truth) -Because "$mailbox on $accessType holds each server item exactly once"
            }
            (Get-InboxSyncStatus -Organization contoso).Status | Sort-Object -Unique | Should -BeExactly 'Synced'
        }
    }

    It 'syncs 200 users in one bulk activation without a Retry-After violation' -Tag 'Bulk' {
        $before = (Invoke-SimulatorControl -Simulator $sim -Path 'metrics').graph
        $all = @($users.primarySmtpAddress | Select-Object -First 200)
        $all | Should -HaveCount 200
        $results = @($all | Start-InboxSync -ThrottleLimit 16 -Folder Inbox)
        @($results | Where-Object Status -eq 'Synced').Count | Should -Be $all.Count
        $after = (Invoke-SimulatorControl -Simulator $sim -Path 'metrics').graph
        $after.retryAfterViolations | Should -Be $before.retryAfterViolations
    }
}
