#!/bin/sh
# A database tsphone cannot use never stops the phone and is never
# changed: garbage in the file, a schema from a newer tsphone, a
# read-only directory, a full disk (a small tmpfs, in a mount namespace
# of tsphone's own: unshare -rm). Each time the phone says why, in the
# log and as an error event, and goes on: calls still ring and end.
. "$(dirname "$0")/lib.sh"
require_tsphone
tmpdir_init

aport=$(free_port) || bail "no free port"
cport=$(free_port) || bail "no free port"
write_conf "$T/alice.conf" <<EOF2
[sip]
listen = 127.0.0.1:$aport
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
EOF2
write_conf "$T/carol.conf" <<EOF2
[sip]
listen = 127.0.0.1:$cport
[audio]
driver = null
[account carol]
uri = sip:carol@127.0.0.1
register = no
EOF2
CAROL=sip:carol@127.0.0.1:$cport

XDG_DATA_HOME=$T/alice-data
export XDG_DATA_HOME
tsp_start alice "$T/alice.conf"
tsp_wait alice '"event":"registration"' 5 >/dev/null || bail "alice did not start"

# carol DATA_DIR [WRAPPER]: start carol on that data directory
carol() {
	XDG_DATA_HOME=$1
	export XDG_DATA_HOME
	TSPHONE_WRAPPER=${2:-} tsp_start carol "$T/carol.conf"
}

# refused ERE DESCRIPTION: carol's first words are why there is no
# history (before the phone starts), then she is up
refused() {
	like "$(tsp_wait carol '"event":"error","command":"history"' 5)" "$1" "$2"
	tsp_wait carol '"event":"registration"' 5 >/dev/null ||
		bail "carol did not start"
}
up() {
	tsp_wait carol '"event":"registration"' 5 >/dev/null ||
		bail "carol did not start"
}

# works: a call from alice rings at carol and ends
works() {
	tsp_cmd alice "dial $CAROL"
	ok "$1: a call still rings" tsp_wait carol '"state":"incoming"' 5
	tsp_cmd carol answer
	ok "$1: and is answered" tsp_wait alice '"state":"established"' 5
	tsp_cmd alice hangup
	ok "$1: and ends" tsp_wait carol '"state":"terminated"' 5
	tsp_wait alice '"state":"terminated"' 5 >/dev/null
}

sum() { cksum <"$1"; }

# --- garbage
db=$T/c1/tsphone/tsphone.db
mkdir -p "$T/c1/tsphone"
head -c 16384 /dev/urandom >"$db"
before=$(sum "$db")
carol "$T/c1"
refused 'damaged.*left as it is.*without history' \
    "garbage: it says the file is damaged and left alone"
ok "garbage: the log says it too" grep -q 'history: .*damaged' "$T/carol.log"
works garbage
tsp_cmd carol history
like "$(tsp_wait carol '"event":"error"' 5)" 'history is off' \
    "garbage: history says it is off"
tsp_quit carol >/dev/null
is "$(sum "$db")" "$before" "garbage: the file is untouched"

# --- a newer schema: a good database with user_version 99
carol "$T/c2"
up
tsp_quit carol >/dev/null
db=$T/c2/tsphone/tsphone.db
ok "a good database was made" test -s "$db"
printf '\000\000\000\143' | dd of="$db" bs=1 seek=60 conv=notrunc 2>/dev/null
before=$(sum "$db")
carol "$T/c2"
refused 'newer tsphone \(schema 99' "newer schema: it says so"
works newer
tsp_quit carol >/dev/null
is "$(sum "$db")" "$before" "newer schema: the file is untouched"

# The mount tests need a mount namespace of tsphone's own.
if ! unshare -rm true 2>/dev/null; then
	skip "read-only directory, full disk" \
	    "unshare -rm is not allowed here (no mount namespace)"
	tsp_quit alice >/dev/null
	done_testing
	exit
fi

# --- a read-only directory, with the database in it
cat >"$T/ro-wrap" <<'EOF2'
#!/bin/sh
exec unshare -rm sh -c 'mount --bind "$XDG_DATA_HOME" "$XDG_DATA_HOME" &&
	mount -o remount,bind,ro "$XDG_DATA_HOME" "$XDG_DATA_HOME" &&
	exec "$@"' sh "$@"
EOF2
chmod +x "$T/ro-wrap"
carol "$T/c3"
up
works "a first run"
tsp_quit carol >/dev/null
db=$T/c3/tsphone/tsphone.db
before=$(sum "$db")
carol "$T/c3" "$T/ro-wrap"
refused 'cannot be written: Read-only file system.*without history' \
    "read-only directory: it says so"
works read-only
tsp_quit carol >/dev/null
is "$(sum "$db")" "$before" "read-only: the file is untouched"

# --- a full disk: a 256 KiB tmpfs, filled once carol has started
cat >"$T/full-wrap" <<'EOF2'
#!/bin/sh
exec unshare -rm sh -c 'mount -t tmpfs -o size=256k tmpfs "$XDG_DATA_HOME" &&
	exec "$@"' sh "$@"
EOF2
chmod +x "$T/full-wrap"
mkdir -p "$T/c4"
carol "$T/c4" "$T/full-wrap"
up
pid=$(tsp_pid carol)
dd if=/dev/zero of="/proc/$pid/root$T/c4/fill" bs=4k 2>/dev/null
ok "the tmpfs is full" test -s "/proc/$pid/root$T/c4/fill"
tsp_cmd alice "dial $CAROL"
ok "full disk: the call still rings" tsp_wait carol '"state":"incoming"' 5
like "$(tsp_wait carol '"event":"error","command":"history"' 5)" \
    'disk is full.*not being saved' "full disk: it says so"
tsp_cmd carol answer
ok "full disk: and is answered" tsp_wait alice '"state":"established"' 5
tsp_cmd alice hangup
ok "full disk: and ends" tsp_wait carol '"state":"terminated"' 5
rm -f "/proc/$pid/root$T/c4/fill"
tsp_cmd carol status
ok "full disk: the phone goes on" tsp_wait carol '"event":"status"' 5

is "$(tsp_quit carol)" 0 "carol quits cleanly"
is "$(tsp_quit alice)" 0 "alice quits cleanly"
done_testing
