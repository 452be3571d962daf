/*
 * The load of bench/record-vs-tcpdump.ts: 100-byte (by default) UDP datagrams at a fixed rate,
 * and optionally a receiver that reads them.
 *
 *   udp-load send ADDR PORT RATE SECONDS [SIZE [THREADS]]   prints the datagrams handed to the kernel
 *   udp-load recv ADDR PORT                                 on SIGTERM or SIGINT, prints the datagrams received
 *
 * The sender keeps to RATE by the clock: every 200 µs it sends what is due since the start,
 * with sendmmsg() in batches of up to 64, so a rate the machine cannot reach (or a sender that
 * does not get the CPU) shows as fewer datagrams sent (the printed count) rather than as a
 * drift. RATE 0 sends nothing for SECONDS. THREADS (default 1) senders share RATE, each with
 * its own socket: one thread's kernel path (the send, the veth, and the namespace's receive,
 * which runs in the sender's context) tops out near 180,000 datagrams/s here, so higher rates
 * need the second core.
 *
 * Build: cc -O2 -pthread -o udp-load udp-load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sockaddr_of(const char *addr, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
		fprintf(stderr, "udp-load: bad IPv4 address %s\n", addr);
		exit(2);
	}
}

/* The datagrams' bytes, shared by the sending threads (read only once they run). */
static char payload[65536];

struct sender {
	struct sockaddr_in sa;
	double rate, seconds;
	int size;
	long long sent;
	int failed;
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	long long sent = 0;
	double start, elapsed;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&s->sa, sizeof(s->sa))) {
		perror("udp-load: socket/connect");
		s->failed = 1;
		return NULL;
	}
	iov.iov_base = payload;
	iov.iov_len = s->size;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	while ((elapsed = now() - start) < s->seconds) {
		long long due = (long long)(elapsed * s->rate);

		/* At most 64 batches between two looks at the clock: a rate above what the machine
		 * sends would otherwise never leave this loop. */
		for (int k = 0; k < 64 && sent < due; k++) {
			int n = due - sent > BATCH ? BATCH : (int)(due - sent);
			int done = sendmmsg(fd, msgs, n, 0);

			if (done < 0) {
				/* ICMP port unreachable comes back as ECONNREFUSED on a connected socket. */
				if (errno == ECONNREFUSED || errno == EINTR)
					continue;
				if (errno == ENOBUFS || errno == EAGAIN)
					break;
				perror("udp-load: sendmmsg");
				s->failed = 1;
				return NULL;
			}
			sent += done;
		}
		usleep(200);
	}
	s->sent = sent;
	return NULL;
}

static int send_load(const char *addr, int port, double rate, double seconds, int size, int threads)
{
	struct sender senders[16];
	pthread_t ids[16];
	long long sent = 0;

	if (threads < 1 || threads > 16) {
		fprintf(stderr, "udp-load: THREADS must be 1 to 16\n");
		return 2;
	}
	memset(payload, 'a', sizeof(payload));
	for (int t = 0; t < threads; t++) {
		memset(&senders[t], 0, sizeof(senders[t]));
		sockaddr_of(addr, port, &senders[t].sa);
		senders[t].rate = rate / threads;
		senders[t].seconds = seconds;
		senders[t].size = size;
		if (pthread_create(&ids[t], NULL, send_thread, &senders[t])) {
			perror("udp-load: pthread_create");
			return 2;
		}
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(ids[t], NULL);
		if (senders[t].failed)
			return 2;
		sent += senders[t].sent;
	}
	printf("%lld\n", sent);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int recv_load(const char *addr, int port)
{
	struct sockaddr_in sa;
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	static char bufs[BATCH][2048];
	struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	int size = 32 << 20;
	long long received = 0;
	struct sigaction act = {.sa_handler = on_signal};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	sockaddr_of(addr, port, &sa);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("udp-load: socket/bind");
		return 2;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (!stop) {
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);

		if (n > 0)
			received += n;
	}
	printf("%lld\n", received);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return send_load(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), argc > 6 ? atoi(argv[6]) : 100,
				 argc > 7 ? atoi(argv[7]) : 1);
	if (argc >= 4 && !strcmp(argv[1], "recv"))
		return recv_load(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: udp-load send ADDR PORT RATE SECONDS [SIZE [THREADS]] | recv ADDR PORT\n");
	return 2;
}
