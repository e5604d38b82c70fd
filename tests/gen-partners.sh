#!/bin/sh
# gen-partners.sh: write a synthetic partners.txt with N entries to stdout.
#
#	usage: gen-partners.sh N [SEED] > partners.txt
#
# The names are made up from German-looking parts (with umlauts and ß),
# some start with a digit or a sign, about a third have a web address.
# The same N and SEED always give the same file: the random numbers come
# from our own Park-Miller generator, not from awk's rand(), which differs
# between awk implementations.  Every product stays below 2^53, so the
# arithmetic is exact in awk's doubles.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: gen-partners.sh N [SEED]" >&2
	exit 2
fi
case "$1${2:-}" in
*[!0-9]*)
	echo "gen-partners.sh: N and SEED are numbers" >&2
	exit 2
	;;
esac

LC_ALL=C exec awk -v n="$1" -v seed="${2:-20240229}" '
function rnd(k) {
	state = (state * 16807) % 2147483647
	return int(state / 2147483647 * k)
}
function pick(list, cnt) {
	return list[1 + rnd(cnt)]
}
function slug(s,    t) {
	t = tolower(s)
	gsub(/\303\244/, "ae", t); gsub(/\303\266/, "oe", t)
	gsub(/\303\274/, "ue", t); gsub(/\303\237/, "ss", t)
	gsub(/\303\204/, "ae", t); gsub(/\303\226/, "oe", t)
	gsub(/\303\234/, "ue", t)
	gsub(/[^a-z0-9]+/, "-", t)
	sub(/^-/, "", t); sub(/-$/, "", t)
	return t
}
BEGIN {
	state = seed % 2147483646 + 1
	np = split("Müller Schäfer Bäcker Größe Südwest Öko Über " \
	    "Ärzte Stadtwerke Handwerks Förder Jülicher Lüdenscheider " \
	    "Münsteraner Düsseldorfer Kölner Essener Dortmunder " \
	    "Gelsenkirchener Hagener Bochumer Straßenbau Weißenburger " \
	    "Café Élan Zöllner Krämer Hüttenwerke Fröhlich Kühne Grün " \
	    "Wärme Glück Bergbau Zeche Ruhr Emscher Lippe Sauerland " \
	    "Siegerländer Paderborner Bielefelder Mönchengladbacher", p, " ")
	nm = split("Technik Bau Logistik Beratung Kommunikation " \
	    "Bildungszentrum Verkehrssicherung Energie Maschinenbau " \
	    "Druckerei Software Gießerei Brauerei Kammer Stiftung " \
	    "Initiative Werkstätten Versicherung Bank Immobilien " \
	    "Gesundheit Pflege Medien Planung Anlagenbau Küchen", m, " ")
	nf = split("GmbH|mbH|AG|KG|e.V.|GmbH & Co. KG|gGmbH|eG|" \
	    "UG (haftungsbeschränkt)|Stiftung|und Partner|", f, "|")
	ns = split("Schmidt Schneider Fischer Weber Meyer Wagner Becker " \
	    "Schulz Hoffmann Koch Bauer Richter Klein Wolf Schröder " \
	    "Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann " \
	    "Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze " \
	    "Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs " \
	    "Peters Lang Scholz Möller Weiß Jung Hahn Vogel Friedrich " \
	    "Günther Keller", s, " ")
	nd = split("1. FC|2Rad|24/7|3D-Druck|4 Jahreszeiten|5 Sterne|" \
	    "»Die Tafel«|@Home|100 % Ruhr", d, "|")

	print "# SYNTHETIC TEST DATA: made up by tests/gen-partners.sh " \
	    n " " seed
	print "# Name<TAB>Webadresse; every name and address is invented."
	for (i = 1; i <= n; i++) {
		r = rnd(100)
		if (r < 4)
			name = pick(d, nd) " " pick(m, nm) " " pick(s, ns)
		else if (r < 10)
			name = toupper(pick(s, ns)) " " pick(m, nm)
		else
			name = pick(p, np) " " pick(m, nm) " " pick(s, ns)
		if (rnd(2) == 0)
			name = name " & " pick(s, ns)
		form = pick(f, nf)
		if (form != "")
			name = name " " form
		u = rnd(10)
		if (u < 3)
			name = name "\thttps://www." slug(name) ".example/"
		else if (u == 3)
			name = name "\tgemini://" slug(name) ".example/"
		print name
	}
}'
