# ports.sh: free loopback ports for the benchmark scripts (sourced; the
# script defines die()).  is_open PORT: something accepts on 127.0.0.1:PORT;
# free_port: a port nothing accepts on, never the same one twice.
is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
USED=" "
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		case $USED in *" $p "*) continue;; esac
		if ! is_open "$p"; then
			USED="$USED$p "
			echo "$p"
			return
		fi
	done
	die "no free port"
}
