BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe 'The store, opened from inside pwsh' {
    It 'returns no organization from an empty store, and creates the store file in INBOXPS_HOME' {
        $storeHome = New-TestStoreHome
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome } -Script @'
$orgs = @(Get-InboxOrganization)
"count=$($orgs.Count)"
'@
        $run.Output | Should -Contain 'count=0'
        $run.ExitCode | Should -Be 0
        Join-Path $storeHome 'inboxps.db' | Should -Exist
    }

    It 'stops with StoreCorrupt naming the path when the file is not a store' {
        $storeHome = New-TestStoreHome
        $db = Join-Path $storeHome 'inboxps.db'
        Set-Content -Path $db -Value ('x' * 4096)
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome } -Script @'
try { Get-InboxOrganization } catch { "id=$($_.FullyQualifiedErrorId)"; "msg=$($_.Exception.Message)"; "fix=$($_.ErrorDetails.RecommendedAction)" }
'@
        $run.Output | Should -Contain 'id=StoreCorrupt,InboxPS.Commands.GetInboxOrganizationCommand'
        ($run.Output -join "`n") | Should -BeLike "*$db*"
        ($run.Output | Where-Object { $_ -like 'fix=*' }) | Should -BeLike '*move the file aside*'
    }

    It 'stops with StoreSchemaTooNew when a newer InboxPS wrote the store' {
        $storeHome = New-TestStoreHome
        # Raise user_version with the module's own SQLite, in a second process, then open the store again.
        $bump = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome } -Script @'
$null = Get-InboxOrganization
# The module's SQLite loads in its private context, hidden from PowerShell's type names (README "Isolation").
$sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
$c = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')::new("Data Source=$(Join-Path $env:INBOXPS_HOME 'inboxps.db');Pooling=False")
$c.Open(); $cmd = $c.CreateCommand(); $cmd.CommandText = 'PRAGMA user_version = 999'; $null = $cmd.ExecuteNonQuery(); $c.Close()
try { Get-InboxOrganization } catch { "id=$($_.FullyQualifiedErrorId)" }
'@
        $bump.Output | Should -Contain 'id=StoreSchemaTooNew,InboxPS.Commands.GetInboxOrganizationCommand'
    }

    It 'reports an unknown organization name as a non-terminating OrganizationNotFound error' {
        $storeHome = New-TestStoreHome
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome } -Script @'
Get-InboxOrganization -Name nosuchorg -ErrorAction SilentlyContinue -ErrorVariable e
"id=$($e[0].FullyQualifiedErrorId)"
"category=$($e[0].CategoryInfo.Category)"
'@
        $run.Output | Should -Contain 'id=OrganizationNotFound,InboxPS.Commands.GetInboxOrganizationCommand'
        $run.Output | Should -Contain 'category=ObjectNotFound'
    }
}
