/*
 * robots: the generated robots.txt.  Its groups use User-agent and
 * Disallow with plain prefixes only, one agent a group and "*" last, so a
 * crawler that honours only those reads it as one that follows RFC 9309.
 */
#ifndef ROBOTS_H
#define ROBOTS_H

struct buf;
struct site;

/* Append the robots.txt of S, in its language, to OUT. */
void	robots_make(struct buf *, const struct site *);

#endif
