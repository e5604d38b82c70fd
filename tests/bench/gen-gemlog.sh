#!/bin/sh
# gen-gemlog.sh: write a synthetic gemlog of N posts into the folder DIR.
#
#	usage: gen-gemlog.sh N DIR [SEED]
#
# DIR/index.gmi links the gemlog; DIR/log/ holds one folder per year
# (N / 2,000 of them, at least one; 26 for 52,000 posts), and each year
# folder its posts, YYYY-MM-DD-slug.gmi, about 1.5 KB of gemtext each:
# a heading, paragraphs, a list, a quote, a preformatted block, links to
# earlier posts and to other capsules.  52,000 posts are about 80 MB.
# Year folders have no index.gmi: zeche generates their listings and
# feeds.  The same N and SEED always give the same files: the random
# numbers come from our own Park-Miller generator, not from awk's rand(),
# which differs between awk implementations.  DIR must not exist yet.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: gen-gemlog.sh N DIR [SEED]" >&2
	exit 2
fi
case "$1${3:-}" in
*[!0-9]*|"")
	echo "gen-gemlog.sh: N and SEED are numbers" >&2
	exit 2
	;;
esac
if [ -e "$2" ]; then
	echo "gen-gemlog.sh: $2 exists" >&2
	exit 1
fi
N=$1
YEARS=$(( (N + 1999) / 2000 ))
[ "$YEARS" -ge 1 ] || YEARS=1
mkdir -p "$2/log"
y=0
while [ "$y" -lt "$YEARS" ]; do
	mkdir "$2/log/$((2000 + y))"
	y=$((y + 1))
done

cd "$2"
LC_ALL=C exec awk -v n="$N" -v years="$YEARS" -v seed="${3:-20261207}" '
function rnd(k) {
	state = (state * 16807) % 2147483647
	return int(state / 2147483647 * k)
}
function word() {
	return words[1 + rnd(nwords)]
}
function sentence(    s, i, k) {
	k = 6 + rnd(10)
	s = word()
	s = toupper(substr(s, 1, 1)) substr(s, 2)
	for (i = 1; i < k; i++)
		s = s " " word()
	return s "."
}
function para(    s, i, k) {
	k = 3 + rnd(4)
	s = sentence()
	for (i = 1; i < k; i++)
		s = s " " sentence()
	return s
}
BEGIN {
	nwords = split("zeche shaft coal seam lamp winding tower pit " \
	    "miner tunnel ore ridge gallery cage rope shift steam pump " \
	    "water light evening morning river bridge market letter " \
	    "garden kettle radio signal station pattern weather harbour " \
	    "valley orchard lantern ledger archive capsule gemini gopher " \
	    "spartan server client request answer folder page feed " \
	    "small quiet slow old new early late long short warm cold " \
	    "and the of to in on with under over near after before", words)
	state = seed % 2147483647
	if (state == 0)
		state = 1
	per = int((n + years - 1) / years)
	split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " ")
	print "# A gemlog" > "index.gmi"
	print "" > "index.gmi"
	print "=> log/ The log, by year" > "index.gmi"
	for (y = 0; y < years; y++)
		printf("=> log/%d/ %d\n", 2000 + y, 2000 + y) > "index.gmi"
	close("index.gmi")
	for (i = 0; i < n; i++) {
		y = int(i / per)
		j = i - y * per
		# spread the posts of a year over its days, several a day
		d = int(j * 364 / per)
		m = 1
		while (d >= ml[m]) {
			d -= ml[m]
			m++
		}
		title = word() " " word() " " word() " " i
		slug = title
		gsub(/ /, "-", slug)
		date = sprintf("%04d-%02d-%02d", 2000 + y, m, d + 1)
		name[i] = date "-" slug ".gmi"
		f = sprintf("log/%04d/%s", 2000 + y, name[i])
		print "# " toupper(substr(title, 1, 1)) substr(title, 2) > f
		print "" > f
		print para() > f
		print "" > f
		print "## " word() " " word() > f
		print "" > f
		print para() > f
		print "" > f
		k = 2 + rnd(4)
		for (l = 0; l < k; l++)
			print "* " sentence() > f
		print "" > f
		print "> " sentence() " " sentence() > f
		print "" > f
		print "```" > f
		k = 2 + rnd(5)
		for (l = 0; l < k; l++)
			printf("%6d  %s %s %s\n", rnd(100000), word(), word(),
			    word()) > f
		print "```" > f
		print "" > f
		print para() > f
		print "" > f
		if (j > 0) {
			p = i - 1 - rnd(j < 50 ? j : 50)
			print "=> " name[p] " An earlier post" > f
		}
		print "=> gemini://example.org/~" word() "/ A friend" > f
		close(f)
		if (i >= 60)
			delete name[i - 60]
	}
}'
