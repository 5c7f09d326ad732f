# A throwaway PostgreSQL server for the Test task (issue 16): initdb into a temporary folder, listening on 127.0.0.1
# only, on a free port, with a random password for its one superuser; stopped and deleted by Stop-InboxPostgres.
# initdb and postgres refuse to run as root: as root they run as the 'postgres' system user Debian's package creates.
# Tests find the server through $env:INBOXPS_TEST_POSTGRES (an Npgsql connection string for that superuser).

$script:TestVariable = 'INBOXPS_TEST_POSTGRES'

function Find-PostgresBin {
    <# .SYNOPSIS The folder with initdb and pg_ctl, or $null. #>
    $pgConfig = Get-Command pg_config -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($pgConfig) {
        $bin = (& $pgConfig.Source --bindir 2>$null | Select-Object -First 1)
        if ($bin -and (Test-Path (Join-Path $bin 'initdb'))) { return $bin }
    }
    # Debian keeps the server binaries off PATH, one folder per major version; take the newest.
    $candidates = Get-ChildItem /usr/lib/postgresql/*/bin/initdb -ErrorAction Ignore |
        Sort-Object { [int]($_.Directory.Parent.Name -replace '\D', '') } -Descending
    if ($candidates) { return $candidates[0].DirectoryName }
    return $null
}

function Test-IsRoot { return ($IsLinux -or $IsMacOS) -and ((& id -u) -eq '0') }

function Install-PostgresPackage {
    <# .SYNOPSIS As root on Debian/Ubuntu (CI): installs the distribution's postgresql package. #>
    if (-not (Test-IsRoot) -or -not (Get-Command apt-get -ErrorAction Ignore)) { return }
    Write-Host 'PostgreSQL is not installed: installing Debian''s postgresql package for the store tests.' -ForegroundColor Yellow
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq | Out-Null
    & apt-get install -y -qq --no-install-recommends postgresql | Out-Null
}

function Invoke-AsServerUser {
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @())
    if (Test-IsRoot) {
        & runuser -u postgres -- $Command @Arguments
    }
    else {
        & $Command @Arguments
    }
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-InboxPostgres {
    <#
    .SYNOPSIS
        Starts a throwaway PostgreSQL server and sets $env:INBOXPS_TEST_POSTGRES for the tests this process starts.
    .DESCRIPTION
        Returns the server (Folder, Port, Bin) for Stop-InboxPostgres, or $null when PostgreSQL is not on this machine
        and this is not CI: the PostgreSQL tests then skip, saying how to get it. In CI ($env:CI = 'true') a missing
        PostgreSQL is installed (Debian, as root) or is an error: those tests never skip there.
    #>
    [CmdletBinding()]
    param()

    $bin = Find-PostgresBin
    if (-not $bin -and $env:CI -eq 'true') {
        Install-PostgresPackage
        $bin = Find-PostgresBin
    }
    if (-not $bin) {
        if ($env:CI -eq 'true') { throw 'PostgreSQL is needed for the store tests in CI and could not be found or installed (Debian: apt-get install postgresql).' }
        Write-Host 'PostgreSQL is not installed: the PostgreSQL store tests will be skipped. Install it (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql) to run them.' -ForegroundColor Yellow
        return $null
    }
    if ((Test-IsRoot) -and -not (Get-Command runuser -ErrorAction Ignore)) { throw 'As root, the test server runs as the postgres user through runuser, which is missing.' }
    if ((Test-IsRoot) -and -not ((& getent passwd postgres) -as [string])) { throw 'As root, the test server runs as the postgres system user, which does not exist (Debian''s postgresql package creates it).' }

    $folder = Join-Path ([System.IO.Path]::GetTempPath()) "inboxps-pg-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $null = New-Item -ItemType Directory -Path $folder
    if (Test-IsRoot) { & chown postgres $folder }
    & chmod 700 $folder
    $password = [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(18))
    $passwordFile = Join-Path $folder 'pw'
    Set-Content -Path $passwordFile -Value $password -NoNewline
    if (Test-IsRoot) { & chown postgres $passwordFile }

    $server = [pscustomobject]@{ Folder = $folder; Bin = $bin; Port = 0; Data = (Join-Path $folder 'data') }
    try {
        Invoke-AsServerUser (Join-Path $bin 'initdb') @('-D', $server.Data, '-U', 'inboxps', "--pwfile=$passwordFile",
            '--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync') | Out-Null
        [System.IO.File]::Delete($passwordFile)
        # A port can be taken between choosing and binding: try a few.
        foreach ($try in 1..5) {
            $server.Port = Get-FreeTcpPort
            $options = "-c listen_addresses=127.0.0.1 -p $($server.Port) -k $folder -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            & $(if (Test-IsRoot) { 'runuser' } else { Join-Path $bin 'pg_ctl' }) @(
                if (Test-IsRoot) { '-u', 'postgres', '--', (Join-Path $bin 'pg_ctl') }
                '-D', $server.Data, '-l', (Join-Path $folder 'server.log'), '-o', $options, '-w', '-t', '60', 'start') | Out-Null
            if ($LASTEXITCODE -eq 0) { break }
            if ($try -eq 5) { throw "The test PostgreSQL server did not start; see $(Join-Path $folder 'server.log')." }
        }
    }
    catch {
        $server | Stop-InboxPostgres
        throw
    }

    Set-Item "env:$script:TestVariable" "Host=127.0.0.1;Port=$($server.Port);Username=inboxps;Password=$password;Database=postgres;Pooling=true"
    Write-Host "Test PostgreSQL $(Split-Path (Split-Path $bin) -Leaf) on 127.0.0.1:$($server.Port) ($folder)" -ForegroundColor DarkGray
    return $server
}

function Stop-InboxPostgres {
    <# .SYNOPSIS Stops the server Start-InboxPostgres started, deletes its folder and clears $env:INBOXPS_TEST_POSTGRES. #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Server)
    process {
        if (-not $Server) { return }
        $pgctl = Join-Path $Server.Bin 'pg_ctl'
        if (Test-Path (Join-Path $Server.Data 'postmaster.pid')) {
            try { Invoke-AsServerUser $pgctl @('-D', $Server.Data, '-m', 'immediate', '-w', 'stop') | Out-Null }
            catch { Write-Warning "Stopping the test PostgreSQL server: $_" }
        }
        Remove-Item -Recurse -Force $Server.Folder -ErrorAction Ignore
        Remove-Item "env:$script:TestVariable" -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Start-InboxPostgres, Stop-InboxPostgres, Find-PostgresBin
