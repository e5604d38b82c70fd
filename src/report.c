/*
 * report: what a load says about the server it made: each host and its
 * certificate in the log, a failed load's errors, --check's lines on
 * stdout.  It reads a server; it loads, swaps and frees none.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "server.h"
#include "site.h"
#include "tls.h"

/* The host VH: its name and aliases, and what it serves. */
void
report_host(const struct vhost *vh)
{
	char	 aliases[1024];
	size_t	 i, n = 0;

	aliases[0] = '\0';
	for (i = 0; i < vh->conf->naliases && n < sizeof(aliases); i++)
		n += (size_t)snprintf(aliases + n, sizeof(aliases) - n,
		    "%s%s", i == 0 ? vh->conf->naliases == 1 ? " (alias " :
		    " (aliases " : ", ", vh->conf->aliases[i]);
	if (n > 0 && n + 1 < sizeof(aliases))
		snprintf(aliases + n, sizeof(aliases) - n, ")");
	if (vh->site->ntaken > 0)
		log_info("host %s%s: loaded %s: %zu pages, %zu of them taken "
		    "over from the last load", vh->conf->name, aliases,
		    vh->conf->root, vh->site->npages, vh->site->ntaken);
	else
		log_info("host %s%s: loaded %s: %zu pages", vh->conf->name,
		    aliases, vh->conf->root, vh->site->npages);
}

/*
 * Name both fingerprints of the host's certificate, since clients pin one
 * or the other, and say when zeche made it or made it anew.
 */
void
report_certificate(const struct vhost *vh)
{
	const char	*name = vh->conf->name;
	char		 crt[128], spki[128], names[1024];
	size_t		 i, n;

	if (vh->crt[0] == '\0' || tls_fingerprints(vh->crt, crt, sizeof(crt),
	    spki, sizeof(spki)) == -1) {
		log_info("host %s: no certificate yet in %s; one is made at "
		    "the first start", name, vh->conf->certs);
		return;
	}
	if (vh->made != VHOST_CERT_KEPT) {
		n = (size_t)snprintf(names, sizeof(names), "%s", name);
		for (i = 0; i < vh->conf->naliases && n < sizeof(names); i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n,
			    ", %s", vh->conf->aliases[i]);
		log_info("host %s: certificate %s %s for %s%s", name, vh->crt,
		    vh->made == VHOST_CERT_MADE ? "made" : "made anew", names,
		    vh->made == VHOST_CERT_RENEWED ? " (the same key)" : "");
	}
	log_info("host %s: certificate %s: certificate SHA-256 %s", name,
	    vh->crt, crt);
	log_info("host %s: certificate %s: public key (SPKI) SHA-256 %s",
	    name, vh->crt, spki);
	if (vh->note[0] != '\0')
		log_warnx("host %s: %s", name, vh->note);
}

/* Log the errors of a failed load, one per line; returns how many. */
size_t
report_errors(const char *err)
{
	size_t	 n, count = 0;

	for (; *err != '\0'; err += n + (err[n] == '\n')) {
		n = strcspn(err, "\n");
		log_warnx("%.*s", (int)n, err);
		count++;
	}
	return count;
}

/*
 * --check: every host's capsule and, with --config (CONFIG), certificate,
 * each line once on stdout (the capsules' warnings and errors are logged as
 * they are found).
 */
void
report_check(const struct server *srv, bool config)
{
	const struct vhost	*vh;
	char			 warnings[64], crt[128], spki[128];
	const char		*who;
	size_t			 i;
	bool			 has_crt;

	for (i = 0; i < srv->nhosts; i++) {
		vh = &srv->hosts[i];
		has_crt = vh->ctx != NULL && tls_fingerprints(vh->crt, crt,
		    sizeof(crt), spki, sizeof(spki)) == 0;
		warnings[0] = '\0';
		if (vh->site->nwarnings > 0)
			snprintf(warnings, sizeof(warnings), ", %zu warning%s",
			    vh->site->nwarnings,
			    vh->site->nwarnings == 1 ? "" : "s");
		if (!config)
			printf("%s: OK, %zu pages%s\n", vh->conf->root,
			    vh->site->npages, warnings);
		else if (!has_crt)
			printf("%s: OK, %zu pages%s in %s; no certificate in "
			    "%s yet: one is made at the first start\n",
			    vh->conf->name, vh->site->npages, warnings,
			    vh->conf->root, vh->conf->certs);
		else
			printf("%s: OK, %zu pages%s in %s; certificate %s "
			    "SHA-256 %s\n", vh->conf->name, vh->site->npages,
			    warnings, vh->conf->root, vh->crt, crt);
		who = config ? vh->conf->name : vh->conf->root;
		if (!has_crt && !config)
			printf("%s: no certificate in %s yet: one is made at "
			    "the first start\n", who, vh->conf->certs);
		if (has_crt && !config)
			printf("%s: certificate %s: certificate SHA-256 %s\n",
			    who, vh->crt, crt);
		if (has_crt)
			printf("%s: certificate %s: public key (SPKI) SHA-256 "
			    "%s\n", who, vh->crt, spki);
		if (vh->note[0] != '\0')
			printf("%s: warning: %s\n", who, vh->note);
	}
}
