#!/bin/sh
# ssh.sh: neoc ssh, the SSH client neoc up reaches pnodes with (neoc/ssh.c,
# libssh2), against a real OpenSSH sshd on loopback:
#
#  - host keys: an unknown key is refused, learnt with --accept-new-hostkeys
#    as a "[127.0.0.1]:PORT" line OpenSSH's ssh accepts, then trusted;
#    known_hosts written by OpenSSH (hashed names, lines libssh2 cannot
#    parse, only the ECDSA key known) works; a changed key (sshd restarted
#    with new host keys) and an @revoked key are refused, even with
#    --accept-new-hostkeys, naming the known_hosts line;
#  - commands: the exit status (and 128+signal) comes back, stdout and
#    stderr arrive apart and whole, arguments with spaces, quotes, $(...),
#    `...`, ; and * reach the remote argv unchanged (no shell injection);
#    stdin is empty; --command-timeout bounds a command;
#  - authentication: a key the server does not know fails, exit 1; a key
#    with a passphrase is refused before connecting;
#  - connecting: nothing listening fails after the retries (with progress
#    lines and the backoff waits); a server that never sends a banner fails
#    by the timeout, not a hang;
#  - --install: installed (same SHA-256, the mode, parents created, no
#    temporary left), unchanged, installed again after a change, a mode
#    change alone, a 3 MB file.
#
# The exit trap stops sshd and the fake server; a watchdog does the same
# after $NC_TEST_LIMIT seconds (default 180: it takes about 60 s on a
# loaded machine).
. "$(dirname "$0")/lib.sh"

SSHD=${SSHD:-/usr/sbin/sshd}
LIMIT=${NC_TEST_LIMIT:-180}
: > "$T/pids"

cleanup() {
	set +e
	stop_watchdog
	stop_tracked
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built" "" "$NEOC"
need_exec "is installed" "apt-get install openssh-server" "$SSHD"
for p in ssh-keygen ssh-keyscan ssh python3; do
	command -v "$p" > /dev/null || { notok "$p is installed"; exit 1; }
done

# --- an sshd of our own -----------------------------------------------------

mkdir -p /run/sshd	# sshd's privilege separation directory
PORT=$(free_port)
XPORTS=""	# more ports of the same sshd, for the concurrent learning
for _ in 1 2 3 4; do
	while :; do
		p=$(free_port)
		case " $PORT $XPORTS " in *" $p "*) ;; *) break ;; esac
	done
	XPORTS="$XPORTS $p"
done
KH=$T/known_hosts

# hostkeys: new ed25519 and ECDSA host keys for sshd
hostkeys() {
	rm -f "$T/hostkey" "$T/hostkey.pub" "$T/hostkey_ec" "$T/hostkey_ec.pub"
	ssh-keygen -q -t ed25519 -N '' -C host -f "$T/hostkey" &&
	    ssh-keygen -q -t ecdsa -N '' -C host -f "$T/hostkey_ec"
}

# sshd_start: sshd -D on 127.0.0.1:$PORT and $XPORTS (pid SPID), until it
# listens.
sshd_start() {
	cat > "$T/sshd_config" <<EOF
Port $PORT
$(for p in $XPORTS; do echo "Port $p"; done)
ListenAddress 127.0.0.1
HostKey $T/hostkey
HostKey $T/hostkey_ec
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
EOF
	"$SSHD" -D -e -f "$T/sshd_config" 2>> "$T/sshd.log" &
	SPID=$!
	track "$SPID"
	for p in $PORT $XPORTS; do wait_listen "$p" 100 || return 1; done
}

# sshd_stop: SIGTERM sshd, until it is gone.
sshd_stop() {
	kill "$SPID" 2> /dev/null
	wait_gone "$SPID" 50 || kill -9 "$SPID" 2> /dev/null
	wait "$SPID" 2> /dev/null
	wait_for 10 not listening "$PORT"
}

hostkeys
ssh-keygen -q -t ed25519 -N '' -C neoc-test -f "$T/id"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$T/other"
cp "$T/id.pub" "$T/authorized_keys"
if ! sshd_start; then
	notok "sshd listens on 127.0.0.1:$PORT" "$(tail -5 "$T/sshd.log")"
	exit 1
fi

# nc_ssh ARGS...: neoc ssh with our key and known_hosts on $PORT (bounded).
nc_ssh() { timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$KH" -p "$PORT" "$@"; }
# run_rc VAR CMD...: run CMD, output (both streams) in $out, status in VAR.
run_rc() { _v=$1; shift; out=$("$@" 2>&1); eval "$_v=\$?"; }

# --- 1. host keys -------------------------------------------------------------

run_rc rc nc_ssh 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "host key" && echo "$out" | grep -q '^neoc ssh: '; then
	ok "an unknown host key is refused without --accept-new-hostkeys (exit 1: $out)"
else
	notok "an unknown host key is refused without --accept-new-hostkeys" "exit $rc: $out"
fi
[ ! -s "$KH" ] && ok "... and known_hosts is not written" ||
    notok "... and known_hosts is not written" "$(cat "$KH")"

run_rc rc nc_ssh --accept-new-hostkeys 127.0.0.1 -- echo hello
expect_eq "--accept-new-hostkeys learns the key, connects, runs the command" "0 hello" "$rc $out"
expect_eq "known_hosts has one [127.0.0.1]:$PORT line, the server's ed25519 key" \
    "[127.0.0.1]:$PORT ssh-ed25519 $(cut -d' ' -f2 "$T/hostkey.pub")" "$(cat "$KH" 2>&1)"
cp "$KH" "$T/kh.learnt"
run_rc rc nc_ssh 127.0.0.1 -- echo again
expect_eq "the next run, without the flag, trusts the learnt key" "0 again" "$rc $out"
cmp -s "$KH" "$T/kh.learnt" && ok "... and leaves known_hosts as it was" ||
    notok "... and leaves known_hosts as it was" "$(cat "$KH")"
run_rc rc nc_ssh --accept-new-hostkeys 127.0.0.1 -- true
cmp -s "$KH" "$T/kh.learnt" && ok "--accept-new-hostkeys with a known key adds nothing" ||
    notok "--accept-new-hostkeys with a known key adds nothing" "$(cat "$KH")"
run_rc rc timeout 20 ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null -i "$T/id" \
    -p "$PORT" root@127.0.0.1 echo openssh
expect_eq "OpenSSH's ssh accepts the learnt line (StrictHostKeyChecking=yes)" "0 openssh" "$rc $out"

# known_hosts as OpenSSH writes it: hashed names, after lines libssh2 cannot
# parse (a bare word, a @cert-authority line)
ssh-keyscan -p "$PORT" 127.0.0.1 > "$T/scan" 2> /dev/null
ssh-keygen -q -H -f "$T/scan" > /dev/null 2>&1
{
	echo "# a comment"
	echo "garbage"
	echo "@cert-authority *.example.org $(cut -d' ' -f1,2 "$T/other.pub")"
	echo "other.example.org $(cut -d' ' -f1,2 "$T/other.pub")"
	cat "$T/scan"
} > "$T/kh.hashed"
if grep -q '^|1|' "$T/kh.hashed" && ! grep -q '127.0.0.1' "$T/kh.hashed"; then
	run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$T/kh.hashed" -p "$PORT" 127.0.0.1 -- echo hashed
	expect_eq "a hashed known_hosts from ssh-keyscan + ssh-keygen -H, after unparsable lines, is trusted" "0 hashed" "$rc $out"
else
	notok "ssh-keyscan + ssh-keygen -H write a hashed known_hosts" "$(cat "$T/kh.hashed")"
fi
ssh-keyscan -t ecdsa -p "$PORT" 127.0.0.1 > "$T/kh.ecdsa" 2> /dev/null
run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$T/kh.ecdsa" -p "$PORT" 127.0.0.1 -- echo ecdsa
expect_eq "with only the ECDSA host key known, that key is asked for (not ed25519) and trusted" "0 ecdsa" "$rc $out"
{ echo "@revoked * $(cut -d' ' -f1,2 "$T/hostkey.pub")"; cat "$T/kh.learnt"; } > "$T/kh.revoked"
run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$T/kh.revoked" --accept-new-hostkeys -p "$PORT" 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "revoked (.*line 1)"; then
	ok "an @revoked host key is refused, naming the line"
else
	notok "an @revoked host key is refused, naming the line" "exit $rc: $out"
fi

# several learning at once (neoc up reaches pnodes in parallel): every
# new key is appended once, under the lock, none lost
: > "$T/kh.par"
pids=""
for p in $XPORTS $PORT $PORT $PORT $PORT; do
	timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$T/kh.par" --accept-new-hostkeys \
	    -p "$p" 127.0.0.1 -- true > /dev/null 2>> "$T/par.err" &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
want=$(for p in $PORT $XPORTS; do echo "[127.0.0.1]:$p"; done | sort)
expect_eq "8 at once learning 5 ports of one server: all connect, each port recorded once" \
    "0 $want" "$fails $(cut -d' ' -f1 "$T/kh.par" | sort)"

# --- 2. commands ----------------------------------------------------------------

run_rc rc nc_ssh 127.0.0.1 -- sh -c 'exit 7'
expect_eq "the remote exit status comes back (sh -c 'exit 7')" "7" "$rc"
run_rc rc nc_ssh 127.0.0.1 -- sh -c 'kill -TERM $$'
expect_eq "a command killed by SIGTERM exits 128+15" "143" "$rc"
nc_ssh 127.0.0.1 -- sh -c 'echo to-out; echo to-err >&2; exit 3' > "$T/o" 2> "$T/e"
rc=$?
expect_eq "stdout and stderr arrive apart (and exit 3)" "3|to-out|to-err" "$rc|$(cat "$T/o")|$(cat "$T/e")"
set -- "a b" "it's" '$(id)' ';' '`id`' '"dq"' '*' 'back\slash' '' "tab	and
newline" '-n' '--' "x'\"'y"
printf '%s|\n' "$@" > "$T/want"
nc_ssh 127.0.0.1 -- printf '%s|\n' "$@" > "$T/got" 2>&1
if cmp -s "$T/want" "$T/got"; then
	ok "arguments with spaces, quotes, \$(...), \`...\`, ;, *, newlines reach the remote argv unchanged"
else
	notok "arguments with spaces, quotes, \$(...), \`...\`, ;, *, newlines reach the remote argv unchanged" \
	    "want: $(cat "$T/want")" "got:  $(cat "$T/got")"
fi
rm -f "$T/pwned"
nc_ssh 127.0.0.1 -- echo "x; touch $T/pwned" "\$(touch $T/pwned)" > /dev/null 2>&1
[ ! -e "$T/pwned" ] && ok "shell syntax in arguments is not run" || notok "shell syntax in arguments is not run"
seq 1 200000 > "$T/seq"
nc_ssh 127.0.0.1 -- sh -c 'seq 1 200000; seq 1 200000 >&2' > "$T/o" 2> "$T/e"
if cmp -s "$T/seq" "$T/o" && cmp -s "$T/seq" "$T/e"; then
	ok "1.3 MB on stdout and on stderr at once arrive whole"
else
	notok "1.3 MB on stdout and on stderr at once arrive whole" "$(wc -c < "$T/o") and $(wc -c < "$T/e") bytes"
fi
t0=$(now_ms)
run_rc rc nc_ssh 127.0.0.1 -- cat
ms=$(($(now_ms) - t0))
expect_eq "the remote stdin is empty (cat returns at once: $ms ms)" "0 " "$rc $out"
t0=$(now_ms)
run_rc rc nc_ssh --command-timeout 1 127.0.0.1 -- sleep 30
ms=$(($(now_ms) - t0))
if [ "$rc" = 1 ] && [ "$ms" -lt 5000 ] && echo "$out" | grep -q "timed out"; then
	ok "--command-timeout 1 stops waiting for sleep 30 ($ms ms: $out)"
else
	notok "--command-timeout 1 stops waiting for sleep 30" "exit $rc after $ms ms: $out"
fi
run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$KH" -p "$PORT" 127.0.0.1
expect_eq "without a command: how the connection went" "0 connected to 127.0.0.1 port $PORT as root" "$rc $out"

# --- 3. authentication ----------------------------------------------------------

run_rc rc timeout 30 "$NEOC" ssh -i "$T/other" --known-hosts "$KH" -p "$PORT" 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "authentication failed for root"; then
	ok "a key the server does not know: authentication failed, exit 1 ($out)"
else
	notok "a key the server does not know: authentication failed, exit 1" "exit $rc: $out"
fi
run_rc rc timeout 30 "$NEOC" ssh -i "$T/nokey" --known-hosts "$KH" -p "$PORT" 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "nokey"; then
	ok "a missing key file: exit 1 naming it"
else
	notok "a missing key file: exit 1 naming it" "exit $rc: $out"
fi
ssh-keygen -q -t ed25519 -N 'a passphrase' -C locked -f "$T/locked"
cat "$T/locked.pub" >> "$T/authorized_keys"
run_rc rc timeout 30 "$NEOC" ssh -i "$T/locked" --known-hosts "$KH" -p "$PORT" 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "locked is protected by a passphrase"; then
	ok "a key with a passphrase: refused up front, naming it"
else
	notok "a key with a passphrase: refused up front, naming it" "exit $rc: $out"
fi
run_rc rc "$NEOC" ssh --retries x 127.0.0.1
expect_eq "a bad option value is a usage error" "2" "$rc"
run_rc rc "$NEOC" ssh
expect_eq "no host is a usage error" "2" "$rc"
run_rc rc "$NEOC" ssh --help
if [ "$rc" = 0 ] && echo "$out" | grep -q '^usage: neoc ssh'; then ok "--help prints the usage"; else notok "--help prints the usage" "$out"; fi

# --- 7. --install ------------------------------------------------------------------

printf 'version 1\n' > "$T/payload"
chmod 0750 "$T/payload"
DEST="$T/remote/a dir/payload"
run_rc rc nc_ssh --install "$T/payload:$DEST" 127.0.0.1
expect_eq "--install the first time: installed" "0 installed" "$rc $out"
expect_eq "... the remote file's SHA-256 is the local one's" \
    "$(sha256sum < "$T/payload")" "$(sha256sum < "$DEST" 2>&1)"
expect_eq "... with the local file's mode, its directories created" "750" "$(stat -c %a "$DEST" 2>&1)"
run_rc rc nc_ssh --install "$T/payload:$DEST" 127.0.0.1
expect_eq "--install the same file again: unchanged" "0 unchanged" "$rc $out"
printf 'version 2\n' > "$T/payload"
run_rc rc nc_ssh --install "$T/payload:$DEST" 127.0.0.1 -- cat "$DEST"
expect_eq "--install after a change: installed, then the command sees it" "0 installed
version 2" "$rc $out"
run_rc rc nc_ssh --install "$T/payload:$DEST" --mode 0644 127.0.0.1
expect_eq "--install with only another mode: installed, mode 644, same contents" "0 installed 644 version 2" \
    "$rc $out $(stat -c %a "$DEST") $(cat "$DEST")"
left=$(ls -A "$T/remote/a dir")
expect_eq "no temporary file is left next to it" "payload" "$left"
head -c 3000000 /dev/urandom > "$T/big"
run_rc rc nc_ssh --install "$T/big:$T/remote/big" 127.0.0.1
expect_eq "--install of 3 MB: installed, same SHA-256" "0 installed $(sha256sum < "$T/big")" \
    "$rc $out $(sha256sum < "$T/remote/big" 2>&1)"
mkdir -p "$T/remote/adir"
run_rc rc nc_ssh --install "$T/payload:$T/remote/adir" 127.0.0.1
if [ "$rc" = 1 ] && [ -d "$T/remote/adir" ] && echo "$out" | grep -q "not a file"; then
	ok "--install over a directory fails and leaves it ($out)"
else
	notok "--install over a directory fails and leaves it" "exit $rc: $out"
fi

# --- 4. a changed host key -------------------------------------------------------------

sshd_stop
hostkeys
if ! sshd_start; then
	notok "sshd restarts with new host keys" "$(tail -5 "$T/sshd.log")"
	exit 1
fi
cp "$KH" "$T/kh.before"
run_rc rc nc_ssh --accept-new-hostkeys 127.0.0.1 -- true
if [ "$rc" = 1 ] && echo "$out" | grep -q "host key mismatch (.*line 1)"; then
	ok "a changed host key is refused even with --accept-new-hostkeys ($out)"
else
	notok "a changed host key is refused even with --accept-new-hostkeys" "exit $rc: $out"
fi
cmp -s "$KH" "$T/kh.before" && ok "... and known_hosts keeps the old key" ||
    notok "... and known_hosts keeps the old key" "$(cat "$KH")"

# --- 5. nothing listening ----------------------------------------------------------------

P2=$(free_port)
t0=$(now_ms)
run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$KH" -p "$P2" --retries 2 127.0.0.1 -- true
ms=$(($(now_ms) - t0))
if [ "$rc" = 1 ] && echo "$out" | grep -q "connection refused after 3 attempts"; then
	ok "nothing listening, --retries 2: fails after 3 attempts, exit 1"
else
	notok "nothing listening, --retries 2: fails after 3 attempts, exit 1" "exit $rc: $out"
fi
expect_eq "... a progress line before each retry, with the backoff" \
    "neoc ssh: 127.0.0.1:$P2: attempt 2 of 3 in 0.5 s: connection refused
neoc ssh: 127.0.0.1:$P2: attempt 3 of 3 in 1.0 s: connection refused" "$(echo "$out" | grep "attempt [0-9] of")"
if [ "$ms" -ge 1400 ] && [ "$ms" -lt 10000 ]; then
	ok "... after waiting 0.5 s then 1 s ($ms ms)"
else
	notok "... after waiting 0.5 s then 1 s (1.5 s to 10 s)" "$ms ms"
fi

# --- 6. a server that never says hello ---------------------------------------------------

P3=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
time.sleep(120)
' "$P3" &
track $!
if wait_listen "$P3" 50; then
	t0=$(now_ms)
	run_rc rc timeout 30 "$NEOC" ssh -i "$T/id" --known-hosts "$KH" -p "$P3" --timeout 2 127.0.0.1 -- true
	ms=$(($(now_ms) - t0))
	if [ "$rc" = 1 ] && [ "$ms" -ge 1900 ] && [ "$ms" -lt 6000 ] && echo "$out" | grep -q "timed out"; then
		ok "a server that never sends a banner: fails by --timeout 2 ($ms ms: $out)"
	else
		notok "a server that never sends a banner: fails by --timeout 2" "exit $rc after $ms ms: $out"
	fi
else
	notok "the silent server listens"
fi
