/*
 * fault: a preloaded library that makes the server's system fail where a
 * test asks it to (LD_PRELOAD=libzeche_fault.so), to walk the error paths
 * that a healthy machine never takes.  Set in the environment:
 *
 *   ZECHE_FAULT_MALLOC=STEP   after the K-th accepted connection, the
 *                             (K * STEP)-th allocation from then on fails,
 *                             once; so connection 1, 2, 3... each see one
 *                             allocation fail, later and later in its life
 *   ZECHE_FAULT_CONNS=N       only the first N connections (then none, so
 *                             that a test can see the server serve on)
 *   ZECHE_FAULT_PEEK=N        the first N recv(MSG_PEEK) say EAGAIN
 *   ZECHE_FAULT_WRITE=LEN     the first write() of exactly LEN bytes says
 *                             EAGAIN (24: a TLS 1.3 close_notify record)
 *   ZECHE_FAULT_COUNT=FILE    at exit, write the allocations made after
 *                             the last accept to FILE (to size the tests)
 *   ZECHE_FAULT_ACCEPT=MS     accept4() says ENOBUFS, leaving the
 *                             connection queued (as the kernel does), from
 *                             its first call until MS milliseconds later
 *   ZECHE_FAULT_ACCEPT_COUNT=FILE  at exit, write how many accept4() calls
 *                             were made to fail to FILE
 *   ZECHE_FAULT_FSYNC=MS      every fsync() takes MS milliseconds more (a
 *                             slow disk: a Titan upload's job runs long)
 *   ZECHE_FAULT_OPEN=NAME:ERRNO  once a connection has been accepted (the
 *                             capsule is loaded), openat() of a file named
 *                             NAME (the last component) fails with ERRNO,
 *                             a number
 *
 * No allocation fails inside bufferevent_openssl_socket_new(): libevent
 * 2.1 does not survive that itself (it frees a half-built bufferevent and
 * crashes), so there is nothing a caller could do about it.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void	*(*real_malloc)(size_t);
static void	*(*real_calloc)(size_t, size_t);
static void	*(*real_realloc)(void *, size_t);
static void	 (*real_free)(void *);
static int	 (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static ssize_t	 (*real_recv)(int, void *, size_t, int);
static ssize_t	 (*real_write)(int, const void *, size_t);
static int	 (*real_openat)(int, const char *, int, ...);
static char	 open_name[256];
static int	 open_errno;

static bool			 in_init;	/* no TLS: too early for it */
static char			 boot[4096] __attribute__((aligned(16)));
static size_t			 boot_used;

/*
 * The server's workers accept and allocate on threads of their own: the
 * counts are atomic, and what a thread is inside of is its own.
 */
static long	 step = -1, peeks = -1, write_len = -1, max_conns = -1;
static long	 accept_ms = -1, fsync_ms = -1;
static atomic_long accepts, countdown, since_accept, accept_failed;
static atomic_llong accept_first;	/* ms of the first accept4(), or 0 */
/* initial-exec: no allocation on the first use, inside malloc */
static _Thread_local bool spared __attribute__((tls_model("initial-exec")));

static void
init(void)
{
	if (real_malloc != NULL || in_init)
		return;
	in_init = true;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))
	    dlsym(RTLD_NEXT, "accept4");
	real_recv = (ssize_t (*)(int, void *, size_t, int))
	    dlsym(RTLD_NEXT, "recv");
	real_write = (ssize_t (*)(int, const void *, size_t))
	    dlsym(RTLD_NEXT, "write");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_openat = (int (*)(int, const char *, int, ...))
	    dlsym(RTLD_NEXT, "openat");
	in_init = false;
}

/*
 * The settings, read once at the first socket or file call, not in
 * init(): the first allocation can come before the C library has set up
 * the environment (a sanitizer's runtime allocates that early, and may
 * run the program anew), and getenv() then finds nothing.
 */
static pthread_once_t	 settings_once = PTHREAD_ONCE_INIT;

static void
read_settings(void)
{
	const char	*s;

	if ((s = getenv("ZECHE_FAULT_MALLOC")) != NULL)
		step = atol(s);
	if ((s = getenv("ZECHE_FAULT_CONNS")) != NULL)
		max_conns = atol(s);
	if ((s = getenv("ZECHE_FAULT_PEEK")) != NULL)
		peeks = atol(s);
	if ((s = getenv("ZECHE_FAULT_WRITE")) != NULL)
		write_len = atol(s);
	if ((s = getenv("ZECHE_FAULT_ACCEPT")) != NULL)
		accept_ms = atol(s);
	if ((s = getenv("ZECHE_FAULT_FSYNC")) != NULL)
		fsync_ms = atol(s);
	if ((s = getenv("ZECHE_FAULT_OPEN")) != NULL &&
	    strchr(s, ':') != NULL &&
	    (size_t)(strchr(s, ':') - s) < sizeof(open_name)) {
		memcpy(open_name, s, (size_t)(strchr(s, ':') - s));
		open_errno = atoi(strchr(s, ':') + 1);
	}
}

static void
settings(void)
{
	init();
	pthread_once(&settings_once, read_settings);
}

static bool
fail_now(void)
{
	long	 n;

	atomic_fetch_add(&since_accept, 1);
	if (spared)
		return false;
	n = atomic_load(&countdown);
	while (n > 0 && !atomic_compare_exchange_weak(&countdown, &n, n - 1))
		;
	if (n == 1) {
		errno = ENOMEM;
		return true;
	}
	return false;
}

/* dlsym may allocate before the real functions are known */
static void *
boot_alloc(size_t n)
{
	void	*p;

	n = (n + 15) & ~(size_t)15;
	if (boot_used + n > sizeof(boot))
		return NULL;
	p = boot + boot_used;
	boot_used += n;
	return p;
}

static bool
is_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

void *
malloc(size_t n)
{
	init();
	if (real_malloc == NULL)
		return boot_alloc(n);
	if (fail_now())
		return NULL;
	return real_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	init();
	if (real_calloc == NULL)
		return boot_alloc(n * m);	/* static: zeroed */
	if (fail_now())
		return NULL;
	return real_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	init();
	if (is_boot(p))
		return NULL;
	if (fail_now())
		return NULL;
	return real_realloc(p, n);
}

void
free(void *p)
{
	init();
	if (p == NULL || is_boot(p))
		return;
	real_free(p);
}

int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	struct timespec	 ts;
	long long	 t, first;
	long		 n;
	int		 r;

	settings();
	if (accept_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		first = 0;
		if (!atomic_compare_exchange_strong(&accept_first, &first, t))
			t -= first;
		else
			t = 0;
		if (t < accept_ms) {
			atomic_fetch_add(&accept_failed, 1);
			errno = ENOBUFS;
			return -1;
		}
	}
	r = real_accept4(fd, sa, len, flags);
	if (r != -1) {
		n = atomic_fetch_add(&accepts, 1) + 1;
		atomic_store(&since_accept, 0);
		atomic_store(&countdown, 0);
		if (step > 0 && (max_conns < 0 || n <= max_conns))
			atomic_store(&countdown, n * step);
	}
	return r;
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	settings();
	if ((flags & MSG_PEEK) && peeks > 0) {
		peeks--;
		errno = EAGAIN;
		return -1;
	}
	return real_recv(fd, buf, len, flags);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	settings();
	if (write_len > 0 && (long)len == write_len) {
		write_len = -1;
		errno = EAGAIN;
		return -1;
	}
	return real_write(fd, buf, len);
}

int
fsync(int fd)
{
	static int	(*real_fsync)(int);
	struct timespec	 ts;

	settings();
	if (real_fsync == NULL)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fsync_ms > 0) {
		ts.tv_sec = fsync_ms / 1000;
		ts.tv_nsec = fsync_ms % 1000 * 1000000;
		nanosleep(&ts, NULL);
	}
	return real_fsync(fd);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	const char	*base;
	va_list		 ap;
	mode_t		 mode = 0;

	settings();
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if (open_errno != 0 && atomic_load(&accepts) > 0 &&
	    strcmp(base, open_name) == 0) {
		errno = open_errno;
		return -1;
	}
	return real_openat(dirfd, path, flags, mode);
}

void	*bufferevent_openssl_socket_new(void *, int, void *, int, int);

void *
bufferevent_openssl_socket_new(void *base, int fd, void *ssl, int state,
    int options)
{
	static void	*(*real)(void *, int, void *, int, int);
	void		*bev;

	settings();
	if (real == NULL)
		real = (void *(*)(void *, int, void *, int, int))
		    dlsym(RTLD_NEXT, "bufferevent_openssl_socket_new");
	spared = true;
	bev = real(base, fd, ssl, state, options);
	spared = false;
	return bev;
}

__attribute__((destructor)) static void
report(void)
{
	const char	*s = getenv("ZECHE_FAULT_COUNT");
	FILE		*f;

	if (s != NULL && (f = fopen(s, "w")) != NULL) {
		fprintf(f, "%ld\n", atomic_load(&since_accept));
		fclose(f);
	}
	s = getenv("ZECHE_FAULT_ACCEPT_COUNT");
	if (s != NULL && (f = fopen(s, "w")) != NULL) {
		fprintf(f, "%ld\n", atomic_load(&accept_failed));
		fclose(f);
	}
}
