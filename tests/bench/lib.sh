# lib.sh: what the benchmark scripts need (sourced first; the script
# sets BUILD_DIR).  die MESSAGE and note MESSAGE: on stderr, under the
# script's name (die exits 1); is_open PORT: something accepts on
# 127.0.0.1:PORT; free_port: a port nothing accepts on, never the same
# one twice; findbin NAME: the built program NAME in BUILD_DIR.
ME=$(basename "$0")
die() { echo "$ME: $*" >&2; exit 1; }
note() { echo "$ME: $*" >&2; }

is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
USED=" "
# Below the ephemeral range: the idle rows leave thousands of client
# sockets closing there, and a wildcard bind on one of their ports fails.
EPH_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) ||
    EPH_LOW=32768
[ "${EPH_LOW:-0}" -gt 12000 ] 2>/dev/null || EPH_LOW=32768
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((10000 + RANDOM % (EPH_LOW - 10000)))
		case $USED in *" $p "*) continue;; esac
		if ! is_open "$p"; then
			USED="$USED$p "
			echo "$p"
			return
		fi
	done
	die "no free port"
}

findbin() {	# BUILD_DIR/NAME first, else the first found below
	if [ -f "$BUILD_DIR/$1" ] && [ -x "$BUILD_DIR/$1" ]; then
		echo "$BUILD_DIR/$1"
	else
		find "$BUILD_DIR" -maxdepth 3 -type f -name "$1" -perm -u+x \
		    -print -quit
	fi
}

# get KEY FIELD: FIELD=value from the zeche-bench line the script keeps
# in its associative array R under KEY; 0 when there is none
get() {
	local f
	for f in ${R[$1]:-}; do
		case $f in "$2"=*) echo "${f#*=}"; return;; esac
	done
	echo 0
}
