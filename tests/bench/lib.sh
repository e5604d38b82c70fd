# lib.sh: what both benchmark scripts need (sourced; the script defines
# die() and BUILD_DIR).  is_open PORT: something accepts on
# 127.0.0.1:PORT; free_port: a port nothing accepts on, never the same
# one twice; findbin NAME: the built program NAME in BUILD_DIR.
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

findbin() {	# BUILD_DIR/NAME first, else the first found below
	if [ -f "$BUILD_DIR/$1" ] && [ -x "$BUILD_DIR/$1" ]; then
		echo "$BUILD_DIR/$1"
	else
		find "$BUILD_DIR" -maxdepth 3 -type f -name "$1" -perm -u+x \
		    -print -quit
	fi
}
