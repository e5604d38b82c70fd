/*
 * fuzz_config: parse any bytes as a configuration file.
 *
 * On success: at least one host; every host has a normalised name (lower
 * case, no trailing dot), a root, and either a certs folder or a cert and
 * a key; every name and alias finds its own host; every listener has a
 * port of digits.  On failure: the message starts "FILE:LINE:COLUMN: "
 * and the conf is empty.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
is_normal_name(const char *s)
{
	size_t	 len = strlen(s);

	if (len == 0 || (len > 1 && s[len - 1] == '.'))
		return false;
	for (; *s != '\0'; s++)
		if ((*s >= 'A' && *s <= 'Z') || (unsigned char)*s <= ' ' ||
		    *s == '/')
			return false;
	return true;
}

static bool
is_port(const char *s)
{
	return s != NULL && s[0] != '\0' && strspn(s, "0123456789") ==
	    strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 conf;
	char		 err[256];
	unsigned long	 line, col;
	size_t		 i, j;

	if (conf_parse((const char *)data, size, "f.conf", &conf, err,
	    sizeof(err)) == 0) {
		assert(conf.nhosts >= 1);
		for (i = 0; i < conf.nhosts; i++) {
			assert(is_normal_name(conf.hosts[i].name));
			assert(conf.hosts[i].root != NULL);
			assert(conf.hosts[i].certs != NULL ||
			    (conf.hosts[i].cert != NULL &&
			    conf.hosts[i].key != NULL));
			assert(conf_find_host(&conf, conf.hosts[i].name) ==
			    &conf.hosts[i]);
			for (j = 0; j < conf.hosts[i].naliases; j++) {
				assert(is_normal_name(
				    conf.hosts[i].aliases[j]));
				assert(conf_find_host(&conf,
				    conf.hosts[i].aliases[j]) ==
				    &conf.hosts[i]);
			}
		}
		for (i = 0; i < conf.nlisten[PROTO_GEMINI]; i++)
			assert(is_port(conf.listen[PROTO_GEMINI][i].port));
		for (i = 0; i < conf.nlisten[PROTO_GOPHER]; i++) {
			assert(is_port(conf.listen[PROTO_GOPHER][i].port));
			assert(conf.listen[PROTO_GOPHER][i].host == NULL ||
			    conf_find_host(&conf, conf.listen[PROTO_GOPHER][i].host) !=
			    NULL);
		}
		conf_free(&conf);
	} else {
		assert(sscanf(err, "f.conf:%lu:%lu: ", &line, &col) == 2);
		assert(line >= 1 && col >= 1);
		assert(conf.nhosts == 0 && conf.hosts == NULL &&
		    conf.nlisten[PROTO_GEMINI] == 0 && conf.listen[PROTO_GEMINI] == NULL);
	}
	return 0;
}
