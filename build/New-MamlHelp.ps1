#Requires -Version 7.0
<#
.SYNOPSIS
    Converts DockerVm's markdown help (module/help/*.md) into one MAML file, DockerVm.dll-Help.xml.
.DESCRIPTION
    platyPS is not available, so this is the module's own small generator. One file per cmdlet:

        # Verb-Noun
        ## SYNOPSIS          one paragraph (required)
        ## DESCRIPTION       paragraphs
        ## EXAMPLES          "### Example N: title", a ```powershell block, then remarks (at least 2)
        ## PARAMETERS        "### -Name", its description, then a ```yaml block of platyPS fields:
                             Type, Parameter Sets, Aliases, Required, Position, Default value,
                             Accept pipeline input, Accept wildcard characters, Accepted values
        ## INPUTS, OUTPUTS   "### Type.Name" and a description
        ## NOTES             paragraphs
        ## RELATED LINKS     "- [text](uri)" or "- text" lines

    Get-Help does not derive SYNTAX from a binary cmdlet's metadata when MAML help exists, so the
    syntax is built here from the parameters' "Parameter Sets", "Required" and "Position" fields
    (a "## SYNTAX" section, if any, is ignored).
    Paragraphs are separated by blank lines. Lines of a paragraph are joined, except in lists
    ("- "), tables ("|") and fenced blocks, which keep their line breaks. The backticks of inline
    `code` are dropped. A malformed file (no SYNOPSIS, fewer than 2 examples, an example without
    code, a parameter without Type, an unknown section) throws, so broken help never ships.
.EXAMPLE
    ./build/New-MamlHelp.ps1 -SourcePath module/help -OutputPath out/DockerVm/en-US/DockerVm.dll-Help.xml
#>
param(
    [Parameter(Mandatory)][string] $SourcePath,
    [Parameter(Mandatory)][string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$KnownSections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'

# ---- reading ---------------------------------------------------------------------------------

function Read-HelpSource([string] $Path) {
    # '# Name', then '## ' sections holding text lines and '### ' subsections; headings inside fences are text.
    $doc = @{ Name = ''; Sections = @{} }
    $section = $null
    $sub = $null
    $fenced = $false
    $n = 0
    foreach ($line in Get-Content -LiteralPath $Path) {
        $n++
        if ($line -match '^\s*```') { $fenced = -not $fenced }
        elseif (-not $fenced -and $line -match '^#\s+(\S.*)$') {
            if ($doc.Name -or $section) { throw "${Path}:${n}: only the first line may be a '# ' heading." }
            $doc.Name = $Matches[1].Trim()
            continue
        }
        elseif (-not $fenced -and $line -match '^##\s+(\S.*)$') {
            $title = $Matches[1].Trim().ToUpperInvariant()
            if ($title -notin $KnownSections) { throw "${Path}:${n}: unknown section '## $title' (known: $($KnownSections -join ', '))." }
            $section = @{ Lines = [Collections.Generic.List[string]]::new(); Subs = [Collections.Generic.List[object]]::new() }
            $doc.Sections[$title] = $section
            $sub = $null
            continue
        }
        elseif (-not $fenced -and $line -match '^###\s+(\S.*)$') {
            if ($null -eq $section) { throw "${Path}:${n}: '### ' heading before any '## ' section." }
            $sub = @{ Title = $Matches[1].Trim(); Lines = [Collections.Generic.List[string]]::new() }
            $section.Subs.Add($sub)
            continue
        }
        if ($null -ne $sub) { $sub.Lines.Add($line) } elseif ($null -ne $section) { $section.Lines.Add($line) }
    }
    if ($fenced) { throw "${Path}: a ``````-fenced block is not closed." }
    return $doc
}

function ConvertFrom-Inline([string] $Text) {
    return $Text -replace '`([^`]+)`', '$1'
}

function Split-Block([string[]] $Lines) {
    # Blank-line separated paragraphs and fenced code blocks, in order: @{ Code = $bool; Lang; Text }.
    $blocks = [Collections.Generic.List[object]]::new()
    $text = [Collections.Generic.List[string]]::new()
    $code = $null
    $flush = {
        if ($text.Count -eq 0) { return }
        $keepBreaks = @($text | Where-Object { $_ -match '^\s*([-*]\s|\||\d+\.\s)|^\s{2,}' }).Count -gt 0
        $joined = $keepBreaks ? ($text | ForEach-Object TrimEnd) -join "`n" : ($text | ForEach-Object Trim) -join ' '
        $blocks.Add(@{ Code = $false; Lang = ''; Text = (ConvertFrom-Inline $joined) })
        $text.Clear()
    }
    foreach ($line in $Lines) {
        if ($null -ne $code) {
            if ($line -match '^\s*```\s*$') { $blocks.Add(@{ Code = $true; Lang = $code.Lang; Text = $code.Lines -join "`n" }); $code = $null }
            else { $code.Lines.Add($line) }
        }
        elseif ($line -match '^\s*```\s*(\S*)') { & $flush; $code = @{ Lang = $Matches[1]; Lines = [Collections.Generic.List[string]]::new() } }
        elseif ($line.Trim() -eq '') { & $flush }
        else { $text.Add($line) }
    }
    & $flush
    return $blocks.ToArray()
}

function Get-Paragraph([object] $Section) {
    # Every block of a section (text lines only, subsections excluded) as paragraph strings.
    if ($null -eq $Section) { return , @() }
    return , @(Split-Block $Section.Lines | ForEach-Object { $_.Text })
}

function ConvertFrom-HelpSource([string] $Path) {
    $doc = Read-HelpSource $Path
    $file = [IO.Path]::GetFileNameWithoutExtension($Path)
    $fail = { param($why) throw "${Path}: $why" }
    if ($doc.Name -notmatch '^[A-Z][a-z]+-[A-Za-z]+$') { & $fail "the first line must be '# Verb-Noun' (found '$($doc.Name)')." }
    if ($doc.Name -cne $file) { & $fail "the heading '# $($doc.Name)' does not match the file name '$file'." }

    $synopsis = (Get-Paragraph $doc.Sections['SYNOPSIS']) -join ' '
    if ([string]::IsNullOrWhiteSpace($synopsis)) { & $fail 'SYNOPSIS is missing or empty.' }

    $examples = @(if ($doc.Sections['EXAMPLES']) {
            foreach ($sub in $doc.Sections['EXAMPLES'].Subs) {
                $blocks = @(Split-Block $sub.Lines)
                $code = @($blocks | Where-Object { $_.Code })
                if ($code.Count -eq 0) { & $fail "'### $($sub.Title)' has no code block." }
                @{
                    Title   = $sub.Title
                    Code    = ($code | ForEach-Object { $_.Text }) -join "`n`n"
                    Remarks = @($blocks | Where-Object { -not $_.Code } | ForEach-Object { $_.Text })
                }
            }
        })
    if ($examples.Count -lt 2) { & $fail "EXAMPLES has $($examples.Count) example(s); at least 2 are required." }

    $parameters = @(if ($doc.Sections['PARAMETERS']) {
            foreach ($sub in $doc.Sections['PARAMETERS'].Subs) {
                if ($sub.Title -notmatch '^-(\w+)$') { & $fail "parameter heading '### $($sub.Title)' must be '### -Name'." }
                $name = $Matches[1]
                $blocks = @(Split-Block $sub.Lines)
                $meta = @{}
                foreach ($yaml in @($blocks | Where-Object { $_.Code -and $_.Lang -eq 'yaml' })) {
                    foreach ($l in $yaml.Text -split "`n") {
                        if ($l -match '^\s*([^:]+):\s*(.*)$') { $meta[$Matches[1].Trim()] = $Matches[2].Trim() }
                    }
                }
                if (-not $meta['Type']) { & $fail "parameter -$name has no yaml block with 'Type:'." }
                $description = @($blocks | Where-Object { -not $_.Code } | ForEach-Object { $_.Text })
                if ($description.Count -eq 0) { & $fail "parameter -$name has no description." }
                @{ Name = $name; Description = $description; Meta = $meta }
            }
        })

    $types = {
        param($section)
        @(if ($section) {
                foreach ($sub in $section.Subs) { @{ Type = $sub.Title; Description = @(Split-Block $sub.Lines | ForEach-Object { $_.Text }) } }
            })
    }
    $links = @(if ($doc.Sections['RELATED LINKS']) {
            foreach ($l in $doc.Sections['RELATED LINKS'].Lines) {
                if ($l -match '^\s*[-*]?\s*\[([^\]]+)\]\(([^)]*)\)') { @{ Text = $Matches[1]; Uri = $Matches[2] } }
                elseif ($l -match '^\s*[-*]?\s*(\S.*)$') { @{ Text = $Matches[1].Trim(); Uri = '' } }
            }
        })

    $verb, $noun = $doc.Name -split '-', 2
    return @{
        Name        = $doc.Name
        Verb        = $verb
        Noun        = $noun
        Synopsis    = $synopsis
        Description = Get-Paragraph $doc.Sections['DESCRIPTION']
        Examples    = $examples
        Parameters  = $parameters
        Inputs      = & $types $doc.Sections['INPUTS']
        Outputs     = & $types $doc.Sections['OUTPUTS']
        Notes       = Get-Paragraph $doc.Sections['NOTES']
        Links       = $links
    }
}

# ---- writing ---------------------------------------------------------------------------------

function Write-Element([string] $Prefix, [string] $Name, [scriptblock] $Body, [hashtable] $Attributes = @{}) {
    $script:W.WriteStartElement($Prefix, $Name, $Ns[$Prefix])
    foreach ($key in $Attributes.Keys | Sort-Object) { $script:W.WriteAttributeString($key, [string]$Attributes[$key]) }
    if ($Body) { & $Body }
    $script:W.WriteEndElement()
}

function Write-Text([string] $Prefix, [string] $Name, [string] $Text) {
    $script:W.WriteElementString($Prefix, $Name, $Ns[$Prefix], $Text)
}

function Write-Description([string[]] $Paragraphs) {
    Write-Element maml description { foreach ($p in $Paragraphs) { Write-Text maml para $p } }
}

function Test-Switch($Parameter) { return $Parameter.Meta['Type'] -eq 'SwitchParameter' }

function Write-ParameterValue($Parameter) {
    # The value placeholder (<Type>) of a parameter; a switch has none.
    if (Test-Switch $Parameter) { return }
    Write-Element command parameterValue { $script:W.WriteString($Parameter.Meta['Type']) } @{ required = 'true'; variableLength = 'false' }
}

function Get-Position($Parameter) {
    $p = $Parameter.Meta['Position']
    return ($p -match '^\d+$') ? $p : 'named'
}

function Get-Flag($Parameter, [string] $Key) {
    return ($Parameter.Meta[$Key] -match '^True') ? 'true' : 'false'
}

function Write-Syntax($Help) {
    # One syntax item per parameter set, in order of first appearance; '(All)' belongs to every set.
    $sets = [Collections.Generic.List[string]]::new()
    foreach ($p in $Help.Parameters) {
        foreach ($s in ($p.Meta['Parameter Sets'] ?? '(All)') -split ',\s*') {
            if ($s -and $s -ne '(All)' -and -not $sets.Contains($s)) { $sets.Add($s) }
        }
    }
    if ($sets.Count -eq 0) { $sets.Add('(All)') }
    Write-Element command syntax {
        foreach ($set in $sets) {
            $members = @($Help.Parameters | Where-Object {
                    $in = ($_.Meta['Parameter Sets'] ?? '(All)') -split ',\s*'
                    $in -contains '(All)' -or $in -contains $set
                })
            $positional = @($members | Where-Object { (Get-Position $_) -ne 'named' } | Sort-Object { [int](Get-Position $_) })
            $named = @($members | Where-Object { (Get-Position $_) -eq 'named' })
            Write-Element command syntaxItem {
                Write-Text maml name $Help.Name
                foreach ($p in $positional + $named) {
                    $attributes = @{ required = (Get-Flag $p 'Required'); position = (Get-Position $p); globbing = (Get-Flag $p 'Accept wildcard characters') }
                    Write-Element command parameter {
                        Write-Text maml name $p.Name
                        if ($p.Meta['Accepted values']) {
                            Write-Element command parameterValueGroup {
                                foreach ($v in $p.Meta['Accepted values'] -split ',\s*') {
                                    Write-Element command parameterValue { $script:W.WriteString($v) } @{ required = 'false'; variableLength = 'false' }
                                }
                            }
                        }
                        else { Write-ParameterValue $p }
                        Write-Element dev type { Write-Text maml name $p.Meta['Type'] }
                    } $attributes
                }
            }
        }
    }
}

function Write-Command($Help) {
    Write-Element command command {
        foreach ($prefix in 'maml', 'command', 'dev') { $script:W.WriteAttributeString('xmlns', $prefix, $null, $Ns[$prefix]) }
        Write-Element command details {
            Write-Text command name $Help.Name
            Write-Text command verb $Help.Verb
            Write-Text command noun $Help.Noun
            Write-Description @($Help.Synopsis)
        }
        Write-Description $Help.Description
        Write-Syntax $Help
        Write-Element command parameters {
            foreach ($p in $Help.Parameters) {
                $attributes = @{
                    required       = Get-Flag $p 'Required'
                    variableLength = ($p.Meta['Type'] -like '*`[`]') ? 'true' : 'false'
                    globbing       = Get-Flag $p 'Accept wildcard characters'
                    pipelineInput  = $p.Meta['Accept pipeline input'] ?? 'False'
                    position       = Get-Position $p
                    aliases        = $p.Meta['Aliases'] ? $p.Meta['Aliases'] : 'none'
                }
                Write-Element command parameter {
                    Write-Text maml name $p.Name
                    Write-Description $p.Description
                    Write-ParameterValue $p
                    Write-Element dev type { Write-Text maml name $p.Meta['Type'] }
                    Write-Text dev defaultValue ($p.Meta['Default value'] ? $p.Meta['Default value'] : 'None')
                } $attributes
            }
        }
        foreach ($kind in @{ Group = 'inputTypes'; Item = 'inputType'; Key = 'Inputs' }, @{ Group = 'returnValues'; Item = 'returnValue'; Key = 'Outputs' }) {
            Write-Element command $kind.Group {
                foreach ($t in $Help[$kind.Key]) {
                    Write-Element command $kind.Item {
                        Write-Element dev type { Write-Text maml name $t.Type }
                        Write-Description $t.Description
                    }
                }
            }
        }
        if ($Help.Notes.Count -gt 0) {
            Write-Element maml alertSet { Write-Element maml alert { foreach ($p in $Help.Notes) { Write-Text maml para $p } } }
        }
        Write-Element command examples {
            foreach ($e in $Help.Examples) {
                Write-Element command example {
                    Write-Text maml title "-------------------------- $($e.Title) --------------------------"
                    Write-Text dev code $e.Code
                    Write-Element dev remarks {
                        foreach ($p in $e.Remarks) { Write-Text maml para $p }
                        Write-Text maml para ''   # a blank line before the next example
                    }
                }
            }
        }
        Write-Element command relatedLinks {
            foreach ($l in $Help.Links) {
                Write-Element maml navigationLink { Write-Text maml linkText $l.Text; Write-Text maml uri $l.Uri }
            }
        }
    }
}

# ---- main ------------------------------------------------------------------------------------

$sources = @(Get-ChildItem -LiteralPath $SourcePath -Filter *.md -File | Sort-Object Name)
if ($sources.Count -eq 0) { throw "No *.md help sources in '$SourcePath'." }
$helps = foreach ($s in $sources) { ConvertFrom-HelpSource $s.FullName }   # parse all first: a bad file writes nothing

$OutputPath = [IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath)
New-Item -ItemType Directory -Path (Split-Path $OutputPath) -Force | Out-Null
$settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
$script:W = [Xml.XmlWriter]::Create($OutputPath, $settings)
try {
    $W.WriteStartDocument()
    $W.WriteStartElement('helpItems', 'http://msh')
    $W.WriteAttributeString('schema', 'maml')
    foreach ($h in $helps) { Write-Command $h }
    $W.WriteEndElement()
    $W.WriteEndDocument()
}
finally {
    $W.Dispose()
}
Write-Verbose "MAML help for $(@($helps).Count) cmdlets: $OutputPath"
