# lib.sh: helpers for the integration tests (sourced).  Each case prints
# "ok - NAME" or "not ok - NAME" followed by what went wrong, or, when it
# cannot run on this machine, "ok - NAME # SKIP REASON" (skip), which
# tests/run.sh counts as skipped.  A test waits for something to happen
# with wait_for (a bounded poll of the condition), never a fixed sleep.
set -u
: "${NC_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
NEOC=$NC_TOP/bin/neoc
CORPUS=$NC_TOP/tests/corpus
T=$(mktemp -d /tmp/nc-int.XXXXXX)
NC_LIB_T=$T	# what the exit removes: the directory made here, never a $T
		# a caller set by hand (T=/tmp once emptied /tmp)
trap 'rm -rf "$NC_LIB_T"' EXIT

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }
# skip NAME REASON: NAME cannot be checked here (REASON: what is missing).
skip() { echo "ok - $1 # SKIP $2"; }

# check NAME COMMAND...: the command must succeed.
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else notok "$name" "$out"; fi
}

# expect_eq NAME WANT GOT [DETAIL...]: DETAIL lines shown on a failure
expect_eq() {
	_en=$1 _ew=$2 _eg=$3
	shift 3
	if [ "$_ew" = "$_eg" ]; then ok "$_en"; else
		notok "$_en" "want: $_ew" "got:  $_eg" "$@"
	fi
}

# jq-free JSON queries through python3: jget FILE EXPR (EXPR in python, the
# document bound to d).
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# --- processes, ports and mounts (the tests that start servers) -----------
# A test that starts processes records their pids in $T/pids (track) and
# keeps every mount under $T; its exit trap calls stop_watchdog,
# stop_tracked, unmount_all / unmount_lazy and finish_cleanup.

# is_mounted DIR: DIR is a mount point now (per /proc/mounts).
is_mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
# mounted_under DIR: print the mount points at or below DIR.
mounted_under() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts
}
# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/status" ] &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2> /dev/null
}
# wait_gone PID [TENTHS]: wait (default 5 s) for PID to exit.
wait_gone() {
	_i=0
	while alive "$1" && [ $_i -lt "${2:-50}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	! alive "$1"
}
# track PID: record PID in $T/pids for the exit trap and the watchdog.
track() { echo "$1" >> "$T/pids"; }
# children PID: the pids of PID's child processes.
children() { cat "/proc/$1/task/$1/children" 2> /dev/null; }
# track_children PID: track every child of PID (serve's ncfs and diod).
track_children() { for _c in $(children "$1"); do track "$_c"; done; }
# now_ms: milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_for SECONDS CMD...: run CMD (output discarded) every 50 ms until it
# succeeds, SECONDS at most (decimals allowed); WAITED_MS is how long it
# took.  On a time out it says on stderr what it waited for and returns 1;
# a wait of a second or more is noted on stderr too (where the time of a
# slow test goes).  (Its variables are _wf_*: CMD may call the other
# helpers.)
wait_for() {
	_wf_lim=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')
	shift
	_wf_t0=$(now_ms)
	while ! "$@" > /dev/null 2>&1; do
		WAITED_MS=$(($(now_ms) - _wf_t0))
		if [ "$WAITED_MS" -ge "$_wf_lim" ]; then
			echo "# wait_for: not true after $WAITED_MS ms: $*" >&2
			return 1
		fi
		sleep 0.05
	done
	WAITED_MS=$(($(now_ms) - _wf_t0))
	[ "$WAITED_MS" -lt 1000 ] ||
	    echo "# wait_for: $WAITED_MS ms until: $*" >&2
}
# not CMD...: CMD fails (for wait_for: wait_for 5 not listening PORT).
not() { ! "$@"; }
# absent PATH...: none of the PATHs exists (a record gone from a tree).
absent() {
	for _ab in "$@"; do [ ! -e "$_ab" ] || return 1; done
}
# count_at_least N FILE ERE: FILE has N lines or more matching ERE.
count_at_least() {
	[ "$(grep -cE -- "$3" "$2" 2> /dev/null)" -ge "$1" ]
}
# no_netns_pids NS: no process left in network namespace NS.
no_netns_pids() { [ -z "$(ip netns pids "$1" 2> /dev/null)" ]; }
# listening PORT: something listens on TCP PORT.
listening() { ss -Hltn "sport = :$1" 2> /dev/null | grep -q .; }
# free_port: a random loopback port in 20000-40000 nobody listens on.
free_port() {
	while :; do
		_p=$(shuf -i 20000-40000 -n 1)
		listening "$_p" || { echo "$_p"; return; }
	done
}
# wait_listen PORT [TENTHS]: until something listens on PORT (default
# 10 s); returns 1 when nothing does in time.
wait_listen() {
	_i=0
	while ! listening "$1"; do
		[ $_i -lt "${2:-100}" ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
# wait_mounted MNT [PID]: until MNT is mounted (10 s at most, and only while
# PID, when given, is alive); returns 1 when it is not.
wait_mounted() {
	_i=0
	while ! is_mounted "$1" && { [ -z "${2:-}" ] || alive "$2"; } && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	is_mounted "$1"
}
# wait_up MNT PORT PID: until MNT is mounted and PORT listened on (neoc
# serve is up); returns 1 when PID dies first or 10 s pass.
wait_up() {
	_i=0
	while ! { is_mounted "$1" && listening "$2"; }; do
		if ! alive "$3" || [ $_i -ge 100 ]; then return 1; fi
		sleep 0.1
		_i=$((_i + 1))
	done
}
# diod_start PORT DIR LOG: a plain diod on 127.0.0.1:PORT exporting DIR
# (stderr to LOG), tracked, pid in DPID; returns 1 unless it listens in 10 s.
# SIGPIPE is ignored, as neoc serve runs it: a client that goes away with
# replies in flight would kill it otherwise.
diod_start() {
	sh -c 'trap "" PIPE; exec "$0" "$@"' "${DIOD:-/usr/sbin/diod}" -f -n \
	    -c /dev/null -l "127.0.0.1:$1" -e "$2" -L stderr 2> "$3" &
	DPID=$!
	track "$DPID"
	wait_listen "$1"
}
# need_exec WHAT HINT FILE...: each FILE must be executable, else
# "not ok - FILE WHAT" (with HINT, when not empty) and exit 1.
need_exec() {
	_w=$1 _h=$2
	shift 2
	for f; do
		if [ ! -x "$f" ]; then
			notok "$f $_w" ${_h:+"$_h"}
			exit 1
		fi
	done
}
# start_watchdog [HOOK]: after $LIMIT seconds say "not ok", run HOOK (when
# given), kill -9 every tracked process and lazily unmount all under $T.
# Sets WATCHDOG (stop it with stop_watchdog).
start_watchdog() {
	(
		sleep "$LIMIT"
		echo "not ok - $(basename "$0") finished within $LIMIT s (watchdog)"
		[ -z "${1:-}" ] || "$1"
		for p in $(cat "$T/pids"); do kill -9 "$p" 2> /dev/null; done
		unmount_lazy
	) &
	WATCHDOG=$!
}
# stop_watchdog: kill the watchdog and its sleep (SIGKILL: a TERM sent
# before the subshell set a trap is lost).
stop_watchdog() {
	[ -n "${WATCHDOG:-}" ] || return 0
	_k=$(children "$WATCHDOG")
	kill -9 "$WATCHDOG" 2> /dev/null
	wait "$WATCHDOG" 2> /dev/null
	[ -z "$_k" ] || kill $_k 2> /dev/null
}
# stop_tracked: SIGTERM every tracked process still alive, then SIGKILL
# those that have not exited within 5 s.
stop_tracked() {
	for p in $(cat "$T/pids"); do alive "$p" && kill "$p" 2> /dev/null; done
	for p in $(cat "$T/pids"); do wait_gone "$p" 50 || kill -9 "$p" 2> /dev/null; done
}
# unmount_all: fusermount3 -u (else -u -z) of every mount under $T.
unmount_all() {
	for m in $(mounted_under "$T"); do
		fusermount3 -u "$m" 2> /dev/null || fusermount3 -u -z "$m" 2> /dev/null
	done
}
# need_cmds CMD...: every CMD is installed, else "not ok" naming it and
# exit 1.
need_cmds() {
	for _c in "$@"; do
		command -v "$_c" > /dev/null 2>&1 && continue
		notok "$_c is installed"
		exit 1
	done
}
# unmount_lazy: lazy unmount (fusermount3 -u -z, else umount -l) of every
# mount under $T, deepest first.
unmount_lazy() {
	for m in $(mounted_under "$T" | sort -r); do
		fusermount3 -u -z "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
	done
}
# finish_cleanup: "not ok" listing what is still mounted under $T, else
# remove $T (rm -rf never walks into a live mount).
finish_cleanup() {
	if [ -n "$(mounted_under "$T")" ]; then
		echo "not ok - every mount under $T removed at exit"
		mounted_under "$T" | sed 's/^/    still mounted: /'
		return
	fi
	rm -rf "$NC_LIB_T"
}
# need_debian_image: the debian-12 build a container of the default image
# is cloned from is in the host's cache (/var/lib/neoc/images), or can be
# made: this host reaches the Debian mirror its apt sources name.  Else
# "not ok - ... needs the package mirror" and exit 1 (a failure, not a
# skip: the image is what the test checks).
need_debian_image() {
	[ -r /var/lib/neoc/images/debian-12/current ] && return 0
	_u=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb  *\(http[^ ]*debian\)  *bookworm .*/\1/p' \
	    /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2> /dev/null | head -1)
	if [ -z "$_u" ] || ! python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/dists/bookworm/Release", timeout=15)' "$_u" 2> /dev/null; then
		notok "the debian-12 image is built or can be: it needs the package mirror (${_u:-no Debian mirror in the apt sources}), which is unreachable"
		exit 1
	fi
	echo "# the debian-12 image is not built yet: the first up builds it from $_u (about a minute)"
}
