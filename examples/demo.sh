#!/bin/sh
# demo.sh: what `make demo` runs after building, from the top of the tree.
# The embedded default: this host is the control node and the only pnode,
# the containers are LXC clones of the debian-12 image, which the first run
# builds (mmdebstrap from this host's apt sources, about a minute, its
# progress shown) into /var/lib/neoc/images; later runs reuse it.
#  1. neoc import + graph of examples/small-lan.ns (a taste of the NS
#     dialect; the files stay in build/demo/);
#  2. neoc up of examples/two-lans.ns (or the file given): the tree mounted
#     on /nc and served over 9P, the network and 5 containers built and
#     provisioned; then neoc status, ls /nc/nodes, and commands run inside
#     containers with neoc exec.
# The experiment stays up to look at; `neoc down -d build/demo/up.db`
# takes it down (printed at the end).  Needs root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
neoc=$top/bin/neoc
ns=${1:-$top/examples/two-lans.ns}
out=$top/build/demo
db=$out/experiment.db
updb=$out/up.db
mnt=${NC_DEMO_MOUNT:-/nc}
listen=${NC_DEMO_LISTEN:-0.0.0.0:5640}

heading() { printf '\n==== %s ====\n\n' "$*"; }

if [ ! -x "$neoc" ]; then
	echo "demo: $neoc is missing; run 'make' first" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: containers, bridges and mounts need root" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$db" "$db-wal" "$db-shm"

heading "neoc import -d ${db#"$top"/} examples/small-lan.ns"
"$neoc" import -d "$db" "$top/examples/small-lan.ns"
"$neoc" graph -d "$db" > "$out/experiment.dot"
if command -v dot > /dev/null 2>&1; then
	"$neoc" graph -d "$db" --svg "$out/experiment.svg"
	echo "its topology: $out/experiment.dot and experiment.svg"
else
	echo "its topology: $out/experiment.dot"
fi

heading "The experiment to bring up: ${ns#"$top"/}"
cat "$ns"

heading "neoc up -d ${updb#"$top"/} --mount $mnt --listen $listen --no-auth ${ns#"$top"/}"
# --no-auth: diod without munge, fine on a single machine whose containers
# reach it on the private control bridge.
# The pnode's log, as it grows: the image build's progress on a first run
# (tail ends a second after neoc up does).
images=/var/lib/neoc/images/debian-12
before=$(cat "$images/current" 2> /dev/null || true)	# none yet on a first run
mkdir -p "$updb.logs"
: > "$updb.logs/pnode-0.up.log"
"$neoc" up -d "$updb" --mount "$mnt" --listen "$listen" --no-auth "$ns" &
up=$!
tail -n 0 -F --pid="$up" "$updb.logs/pnode-0.up.log" 2> /dev/null |
    sed -u -n -e 's/^images: /  pnode-0: images: /p' \
    -e 's/^\(I: .*\)/  pnode-0: mmdebstrap: \1/p'
rc=0
wait "$up" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
now=$(cat "$images/current" 2> /dev/null || true)
if [ -n "$now" ] && [ "$now" = "$before" ]; then
	echo "image debian-12: reused the build $now ($(sed -n 's/^built //p' "$images/$now/manifest"))"
elif [ -n "$now" ]; then
	echo "image debian-12: built $now in $(sed -n 's/^seconds //p' "$images/$now/manifest") s ($images/$now)"
fi

heading "neoc status -d ${updb#"$top"/}"
"$neoc" status -d "$updb"

heading "ls $mnt/nodes; cat $mnt/nodes/a1/hosts"
ls "$mnt/nodes"
cat "$mnt/nodes/a1/hosts"

heading "neoc exec a1 -- ip -4 -o addr; cat /tmp/startcmd.out; ping -c 2 a2; os-release; python"
"$neoc" exec -d "$updb" a1 -- ip -4 -o addr
"$neoc" exec -d "$updb" a1 -- cat /tmp/startcmd.out
"$neoc" exec -d "$updb" a1 -- ping -c 2 a2
"$neoc" exec -d "$updb" a1 -- sh -c '. /etc/os-release; echo "$PRETTY_NAME"'
"$neoc" exec -d "$updb" a1 -- python -c 'import sys; print("python", sys.version.split()[0])'

heading "Still up"
echo "the tree:        ls $mnt/nodes"
echo "a shell:         $neoc exec -d $updb a1"
echo "take it down:    $neoc down -d $updb"
