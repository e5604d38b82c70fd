/*
 * protocols: the table of front-ends, one row per protocol.  main.c makes
 * an option and a listener of each row.
 */
#ifndef PROTOCOLS_H
#define PROTOCOLS_H

#include "net.h"
#include "proto.h"

struct protocol {
	const char	*name;		/* "gemini": --NAME, the log */
	int		 short_opt;	/* 'g', or 0 for none */
	const char	*port;		/* default, or NULL: off */
	const char	*root_port;	/* default when run as root */
	enum net_tls	 tls;
	const struct front *front;
};

extern const struct protocol	 protocols[PROTO_COUNT];

#endif
