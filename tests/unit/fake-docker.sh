#!/usr/bin/env bash
# A stand-in for the docker CLI in the unit tests: it records its argv and replays canned answers.
#
#   FAKE_DOCKER_LOG          file; each call appends one line "arg:BASE64" per argument, then "end"
#                            (base64 keeps quotes, newlines and non-ASCII exact)
#   FAKE_DOCKER_DIR          per-subcommand answers: SUB.stdout (file copied to stdout), SUB.stderr
#                            (file copied to stderr), SUB.exit (exit code), SUB.sleep (seconds to
#                            hang after answering). SUB.N.* answers the N-th call of SUB (1-based)
#                            and wins over SUB.*; SUB.calls counts the calls.
#   FAKE_DOCKER_STDOUT_FILE  stdout for any call without an answer of its own
#   FAKE_DOCKER_STDERR       stderr text for any call without an answer of its own
#   FAKE_DOCKER_EXIT         exit code for any call without an answer of its own (default 0)
#   FAKE_DOCKER_STDIN_LOG    file that receives the call's standard input (appended)
# An exec of the exec wrapper first prints the wrapper's pid line on stderr (an image with sh).
set -u

# The subcommand: the first argument that is neither a global flag nor its value.
sub=""
args=("$@")
i=0
while [ "$i" -lt "${#args[@]}" ]; do
    case "${args[$i]}" in
        --context | -c | --host | -H | --config | --log-level | -l) i=$((i + 2)) ;;
        -*) i=$((i + 1)) ;;
        *) sub=${args[$i]}; break ;;
    esac
done

if [ -n "${FAKE_DOCKER_LOG:-}" ]; then
    record=""
    for a in "$@"; do
        record+="arg:$(printf '%s' "$a" | base64 -w0)"$'\n'
    done
    printf '%send\n' "$record" >> "$FAKE_DOCKER_LOG"
fi

if [ -n "${FAKE_DOCKER_STDIN_LOG:-}" ]; then
    cat >> "$FAKE_DOCKER_STDIN_LOG"
fi

dir=${FAKE_DOCKER_DIR:-}
n=0
if [ -n "$dir" ] && [ -n "$sub" ]; then
    n=$(( $(cat "$dir/$sub.calls" 2>/dev/null || echo 0) + 1 ))
    echo "$n" > "$dir/$sub.calls"
fi

# The file answering EXT for this call, if any.
answer() {
    if [ -n "$dir" ] && [ -n "$sub" ]; then
        if [ -e "$dir/$sub.$n.$1" ]; then echo "$dir/$sub.$n.$1"; return; fi
        if [ -e "$dir/$sub.$1" ]; then echo "$dir/$sub.$1"; return; fi
    fi
}

# docker exec of the exec wrapper (ExecRoot): in an image with sh it first reports the pid on stderr.
if [ "$sub" = exec ]; then
    for a in "$@"; do
        if [[ "$a" =~ (DOCKERVM_EXEC [0-9a-f]{32} ) ]]; then printf '%s42 777\n' "${BASH_REMATCH[1]}" >&2; break; fi
    done
fi

out=$(answer stdout)
if [ -n "$out" ]; then
    cat "$out"
elif [ -n "${FAKE_DOCKER_STDOUT_FILE:-}" ]; then
    cat "$FAKE_DOCKER_STDOUT_FILE"
fi

err=$(answer stderr)
if [ -n "$err" ]; then
    cat "$err" >&2
elif [ -n "${FAKE_DOCKER_STDERR:-}" ]; then
    printf '%s' "$FAKE_DOCKER_STDERR" >&2
fi

code=${FAKE_DOCKER_EXIT:-0}
f=$(answer exit)
if [ -n "$f" ]; then code=$(cat "$f"); fi

f=$(answer sleep)
if [ -n "$f" ]; then exec sleep "$(cat "$f")"; fi

exit "$code"
