/*
 * TCP servers whose connections change hands the ways real servers do it, and a client, for the
 * socket-owner tests (test/record/handoff.test.ts). Every line on stdout is one fact the test
 * checks the recording against:
 *
 *   listener pid=P tid=T comm=C          the task that made a listening socket
 *   ready port=N pid=P tid=T comm=C ns=NS
 *                                        the task that holds the connection from client port N
 *                                        from epoch time NS on (right after accept or recvmsg)
 *   connected port=N                     (client) connected from local port N
 *
 * Server modes (all listen on ADDR:PORT and serve COUNT connections in total):
 *   fork      the parent listens, one forked child accepts and serves
 *   thread    the main thread listens, a second thread accepts and serves
 *   reuseport WORKERS forked processes each listen (SO_REUSEPORT) and accept
 *   prefork   the parent listens, WORKERS forked processes accept on the inherited socket
 *             (these two serve until their stdin closes: then the parent ends the workers)
 *   scm       the parent accepts and passes each connection over a unix socket (SCM_RIGHTS)
 *             to a forked child, which receives before it sends
 * Serving a connection: read one line, answer "pong\n", read until the client closes, close.
 *
 * Client mode: `client ADDR PORT`: connect, print "connected", wait for a line on stdin (the test
 * says go once the server holds the connection), send "ping\n", read the answer, close.
 *
 * Build: cc -O2 -pthread -o handoff handoff.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *addr;
static int port, count, workers;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void whoami(char *out)
{
	char comm[17] = {0};

	prctl(PR_GET_NAME, comm);
	sprintf(out, "pid=%d tid=%d comm=%s", getpid(), gettid(), comm);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sockaddr_of(struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			die("address");
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			die("address");
		*len = sizeof(*s4);
	}
}

static int listener(int reuseport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	char me[64];
	int fd;

	sockaddr_of(&ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64))
		die("bind/listen");
	whoami(me);
	say("listener %s\n", me);
	return fd;
}

static int peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		die("getpeername");
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

/* This task holds `fd` from now on. */
static void ready(int fd)
{
	long long at = now_ns();
	char me[64];

	whoami(me);
	say("ready port=%d %s ns=%lld\n", peer_port(fd), me, at);
}

static void serve(int fd)
{
	char buf[256];
	ssize_t n;

	n = read(fd, buf, sizeof(buf)); /* the line */
	if (n <= 0)
		die("read request");
	if (write(fd, "pong\n", 5) != 5)
		die("write");
	while ((n = read(fd, buf, sizeof(buf))) > 0) /* until the client closes */
		;
	close(fd);
}

static int accept_one(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		die("accept");
	return fd;
}

static void *thread_main(void *arg)
{
	int lfd = (int)(long)arg;

	prctl(PR_SET_NAME, "nracceptor");
	for (int i = 0; i < count; i++) {
		int fd = accept_one(lfd);

		ready(fd);
		serve(fd);
	}
	return NULL;
}

static void name_worker(int i)
{
	char name[16];

	snprintf(name, sizeof(name), "nrworker%d", i);
	prctl(PR_SET_NAME, name);
}

static void reap(int n)
{
	for (int i = 0; i < n; i++)
		wait(NULL);
}

/* One byte and room for one descriptor: the message both ends of the handoff use. */
struct fd_message {
	char byte;
	struct iovec iov;
	struct msghdr msg;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
};

static void fd_message_init(struct fd_message *m)
{
	memset(m, 0, sizeof(*m));
	m->byte = 'f';
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->u.buf;
	m->msg.msg_controllen = sizeof(m->u.buf);
}

static void send_fd(int unix_fd, int fd)
{
	struct fd_message m;
	struct cmsghdr *c;

	fd_message_init(&m);
	c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(unix_fd, &m.msg, 0) != 1)
		die("sendmsg");
}

static int recv_fd(int unix_fd)
{
	struct fd_message m;
	struct cmsghdr *c;
	int fd;

	fd_message_init(&m);
	if (recvmsg(unix_fd, &m.msg, 0) != 1)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&m.msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		die("no descriptor");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void client(void)
{
	struct sockaddr_storage ss, local;
	socklen_t len, llen = sizeof(local);
	char buf[256], line[16];
	int fd;

	sockaddr_of(&ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	getsockname(fd, (struct sockaddr *)&local, &llen);
	say("connected port=%d\n", ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
								      : ((struct sockaddr_in *)&local)->sin_port));
	if (!fgets(line, sizeof(line), stdin))
		die("no go");
	if (write(fd, "ping\n", 5) != 5)
		die("write");
	if (read(fd, buf, sizeof(buf)) != 5)
		die("read answer");
	close(fd); /* the client closes first: the server's socket never waits in TIME_WAIT */
}

int main(int argc, char **argv)
{
	const char *mode;

	if (argc < 4) {
		fprintf(stderr, "usage: handoff MODE ADDR PORT [COUNT [WORKERS]]\n");
		return 2;
	}
	mode = argv[1];
	addr = argv[2];
	port = atoi(argv[3]);
	count = argc > 4 ? atoi(argv[4]) : 1;
	workers = argc > 5 ? atoi(argv[5]) : 2;
	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(mode, "client")) {
		client();
	} else if (!strcmp(mode, "fork")) {
		int lfd = listener(0);

		if (fork() == 0) {
			name_worker(0);
			for (int i = 0; i < count; i++) {
				int fd = accept_one(lfd);

				ready(fd);
				serve(fd);
			}
			return 0;
		}
		reap(1);
	} else if (!strcmp(mode, "thread")) {
		int lfd = listener(0);
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, (void *)(long)lfd))
			die("pthread_create");
		pthread_join(t, NULL);
	} else if (!strcmp(mode, "reuseport") || !strcmp(mode, "prefork")) {
		int shared = !strcmp(mode, "prefork");
		int lfd = shared ? listener(0) : -1;

		pid_t pids[64];
		char buf[64];

		if (workers > 64)
			workers = 64;
		for (int w = 0; w < workers; w++) {
			pids[w] = fork();
			if (pids[w] == 0) {
				name_worker(w);
				if (!shared)
					lfd = listener(1);
				for (;;) {
					int fd = accept_one(lfd);

					ready(fd);
					serve(fd);
				}
			}
		}
		while (read(0, buf, sizeof(buf)) > 0)
			;
		for (int w = 0; w < workers; w++)
			kill(pids[w], SIGTERM);
		reap(workers);
	} else if (!strcmp(mode, "scm")) {
		int lfd = listener(0);
		int pair[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
			die("socketpair");
		if (fork() == 0) {
			close(pair[0]);
			name_worker(0);
			for (int i = 0; i < count; i++) {
				int fd = recv_fd(pair[1]);

				ready(fd);
				serve(fd);
			}
			return 0;
		}
		close(pair[1]);
		for (int i = 0; i < count; i++) {
			int fd = accept_one(lfd);

			send_fd(pair[0], fd);
			close(fd);
		}
		reap(1);
	} else {
		fprintf(stderr, "handoff: unknown mode %s\n", mode);
		return 2;
	}
	return 0;
}
