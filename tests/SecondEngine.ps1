# A second Docker engine for the fault and multi-engine tests (PrivateEngine.ps1), with a docker context naming it.
. $PSScriptRoot/PrivateEngine.ps1
$script:E2Root = '/tmp/dve2'
$script:E2Socket = "unix://$script:E2Root/docker.sock"
$script:E2Context = 'dockervm-e2'
$script:E2Bridge = 'dve2br'

function Invoke-E2Docker { & docker -H $script:E2Socket @args }
function Test-E2Engine { Test-PrivateEngine $script:E2Socket }
function Start-E2Engine { Start-PrivateEngine -Root $script:E2Root -Bridge $script:E2Bridge -BridgeAddress 10.213.0.1/24 }
function Stop-E2Engine { Stop-PrivateEngine $script:E2Root }
function Remove-E2Engine { Remove-PrivateEngine $script:E2Root $script:E2Bridge }

function Initialize-E2Engine {
    Start-E2Engine
    $null = & docker context inspect $script:E2Context 2>&1
    if ($LASTEXITCODE -ne 0) { & docker context create $script:E2Context --docker "host=$script:E2Socket" | Out-Null }
}
