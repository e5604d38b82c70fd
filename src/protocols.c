#include "gemini.h"
#include "gopher.h"
#include "protocols.h"
#include "spartan.h"

const struct protocol protocols[PROTO_COUNT] = {
	[PROTO_GEMINI] = { "gemini", 'g', "1965", "1965", NET_TLS,
	    &gemini_front },
	[PROTO_GOPHER] = { "gopher", 'G', "7070", "70", NET_SNIFF,
	    &gopher_front },
	[PROTO_SPARTAN] = { "spartan", 0, NULL, NULL, NET_PLAIN,
	    &spartan_front },
};
