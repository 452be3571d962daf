// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * netrec record, kernel side: every IPv4/IPv6 packet of the sockets in a cgroup subtree, with the
 * task that owns the socket, into a ring buffer; process lifecycle from raw tracepoints.
 *
 * Programs (all attached through BPF links, so they go away with the recorder's process):
 *   cgroup_skb/ingress, cgroup_skb/egress   capture (never drop: always return 1)
 *   cgroup/sock_create, post_bind4/6, connect4/6, sendmsg4/6, recvmsg4/6
 *                                            remember the socket's owner in socket storage
 *   raw_tp sched_process_fork/exec/exit, task_rename
 *                                            process lifecycle records
 *   cgroup/sock_release                     forget a pending claim (below)
 *   raw_tp softirq_entry/exit               per-CPU "serving a softirq" depth, so egress knows
 *                                            when `current` is the sender (see in_task_context)
 *   raw_tp sys_exit                         accept/accept4 and SCM_RIGHTS recvmsg: the task
 *                                            that now holds a socket claims it (see claims)
 * A record-time --trace may add a prefilter (trace_pids, trace_comms; see enum nr_trace_flags).
 * docs/record.md explains the design; netrec.h is the record ABI.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "kernel.h"
#include "netrec.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct nr_config config = {
	.abi_version = NETREC_ABI_VERSION,
	.snaplen = NR_MAX_CAPTURE,
};

/* Packets and lifecycle records to user space. User space sets the size before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* The task that owns each socket. BPF_F_CLONE: a socket accepted from a listener starts with a
 * copy of the listener's entry, so SYN-ACKs and the first packets of a connection carry the
 * server process. User space seeds sockets that existed before recording (key: a socket fd). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct nr_sock_owner);
} sock_owners SEC(".maps");

/* Host name of each uts namespace seen, for user space (filled on first sight and on exec). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct nr_uts_name);
} uts_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nr_counters);
} counters SEC(".maps");

/* With --cgroup: the subtree whose tasks' lifecycle is recorded (key 0: a cgroup fd). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} capture_cgroup SEC(".maps");

/* The --trace prefilter's sets (see enum nr_trace_flags); filled by user space before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} trace_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, char[NR_COMM_LEN]);
	__type(value, __u8);
} trace_comms SEC(".maps");

/* Per CPU: how many softirq handlers are running (0 or 1; softirqs do not nest). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} softirq_depth SEC(".maps");

/*
 * Sockets whose owner changed where no socket storage can be written: accept()/accept4() and a
 * recvmsg() that received socket descriptors (SCM_RIGHTS) return in a raw tracepoint, which has
 * no bpf_sk_storage_get(). The syscall-exit program records the task here, keyed by the struct
 * sock's address; the next packet of that socket (capture()) moves it into sock_owners and
 * deletes the claim, and cgroup/sock_release deletes a claim never used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct nr_sock_owner);
} claims SEC(".maps");

/* Number of entries in `claims`: capture() looks a packet's socket up only while it is not 0. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} claims_live SEC(".maps");

static __always_inline struct nr_counters *cpu_counters(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

/* ------------------------------------------------------------------------------------------ */
/* Task context */

/* The number of `pid` in pid namespace `ns` (at `level`), or 0 when it has none there. */
static __always_inline __u32 pid_nr_in(struct pid *pid, unsigned int level, struct pid_namespace *ns)
{
	struct upid up = {};

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up),
			      (void *)pid + bpf_core_field_offset(struct pid, numbers) + level * sizeof(struct upid));
	return up.ns == ns ? up.nr : 0;
}

/* Records the host name of a uts namespace for user space; `refresh` overwrites (exec). */
static __always_inline void note_uts(struct task_struct *task, __u32 inum, int refresh)
{
	struct nr_uts_name name = {};

	if (!refresh && bpf_map_lookup_elem(&uts_names, &inum))
		return;
	BPF_CORE_READ_STR_INTO(&name.nodename, task, nsproxy, uts_ns, name.nodename);
	bpf_map_update_elem(&uts_names, &inum, &name, BPF_ANY);
}

static __always_inline void fill_task(struct nr_task *t, struct task_struct *task)
{
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	struct pid *thread_pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(thread_pid, level);
	struct upid own = {};

	/* The task's own pid namespace is the one of its deepest pid number. */
	bpf_probe_read_kernel(&own, sizeof(own),
			      (void *)thread_pid + bpf_core_field_offset(struct pid, numbers) + level * sizeof(struct upid));

	t->start_time = BPF_CORE_READ(task, start_time);
	t->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	t->host_tid = BPF_CORE_READ(task, pid);
	t->host_pid = BPF_CORE_READ(task, tgid);
	t->host_ppid = BPF_CORE_READ(parent, tgid);
	t->tid = own.nr;
	t->pid = pid_nr_in(BPF_CORE_READ(task, group_leader, thread_pid), level, own.ns);
	t->ppid = pid_nr_in(BPF_CORE_READ(parent, group_leader, thread_pid), level, own.ns);
	t->uid = BPF_CORE_READ(task, cred, uid.val);
	t->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	t->pid_ns = BPF_CORE_READ(own.ns, ns.inum);
	t->uts_ns = BPF_CORE_READ(task, nsproxy, uts_ns, ns.inum);
	t->flags = 0;
	t->_pad0 = 0;
	BPF_CORE_READ_STR_INTO(&t->comm, task, comm);
	BPF_CORE_READ_STR_INTO(&t->leader_comm, task, group_leader, comm);
	note_uts(task, t->uts_ns, 0);
}

/*
 * Whether `current` is the task that sends this packet: we run in process context (not in a
 * softirq, where `current` is whichever task was interrupted) and current is not a kernel thread
 * (ksoftirqd, NAPI threads, workqueues). Kernels without kallsyms data symbols cannot read
 * preempt_count from BPF, hence the softirq_entry/exit bookkeeping.
 */
static __always_inline int in_task_context(struct task_struct *task)
{
	__u32 zero = 0;
	__u32 *depth = bpf_map_lookup_elem(&softirq_depth, &zero);

	if (!depth || *depth)
		return 0;
	return !(task->flags & PF_KTHREAD);
}

/* Whether a stored owner still describes the current thread (cheap helpers only). */
static __always_inline int owner_is_current(const struct nr_task *t, struct task_struct *task)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[NR_COMM_LEN] __attribute__((aligned(8)));

	if (t->host_tid != (__u32)pid_tgid || t->host_pid != pid_tgid >> 32)
		return 0;
	if (t->start_time != task->start_time || (t->flags & NR_TASK_F_SEEDED))
		return 0;
	if (t->uid != (__u32)bpf_get_current_uid_gid() || t->cgroup_id != bpf_get_current_cgroup_id())
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	return *(__u64 *)&comm[0] == *(__u64 *)&t->comm[0] && *(__u64 *)&comm[8] == *(__u64 *)&t->comm[8];
}

/* Whether the --trace prefilter keeps a task (always, without one). */
/* `comm=dig` keeps dig's threads too (isc-net-0000...): the thread's name or its leader's. */
static __always_inline int trace_keeps(__u32 pid, __u32 tid, const char *comm, const char *leader_comm)
{
	if (!config.trace)
		return 1;
	if ((config.trace & (NR_TRACE_PIDS | NR_TRACE_FOLLOW)) &&
	    (bpf_map_lookup_elem(&trace_pids, &pid) || bpf_map_lookup_elem(&trace_pids, &tid)))
		return 1;
	return (config.trace & NR_TRACE_COMMS) &&
	       (bpf_map_lookup_elem(&trace_comms, comm) || bpf_map_lookup_elem(&trace_comms, leader_comm));
}

static __always_inline int trace_keeps_current(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[NR_COMM_LEN] = {};
	char leader_comm[NR_COMM_LEN] = {};

	if (!config.trace)
		return 1;
	bpf_get_current_comm(comm, sizeof(comm));
	if (config.trace & NR_TRACE_COMMS)
		BPF_CORE_READ_STR_INTO(&leader_comm, bpf_get_current_task_btf(), group_leader, comm);
	return trace_keeps(pid_tgid >> 32, (__u32)pid_tgid, comm, leader_comm);
}

/* The socket's owner entry, refreshed to the current task (sock hooks run in process context). */
static __always_inline void own_socket(struct bpf_sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct nr_sock_owner *owner;

	if (!sk)
		return;
	owner = bpf_sk_storage_get(&sock_owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (owner && !owner_is_current(&owner->task, task))
		fill_task(&owner->task, task);
}

/* ------------------------------------------------------------------------------------------ */
/* Packets */

/* Bytes to keep: DNS whole, everything else up to the snaplen. */
static __always_inline __u32 capture_length(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u32 l4 = 0;
	__u8 proto = 0;
	__u16 ports[2];

	if (len <= config.snaplen)
		return len;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		__u8 vihl;
		__u16 frag;

		if (bpf_skb_load_bytes(skb, 0, &vihl, 1) || bpf_skb_load_bytes(skb, 6, &frag, 2) ||
		    bpf_skb_load_bytes(skb, 9, &proto, 1))
			return config.snaplen;
		if (bpf_ntohs(frag) & 0x1fff) /* not the first fragment: no ports */
			return config.snaplen;
		l4 = (vihl & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		/* Next header of the fixed header, then up to three hop-by-hop, routing or
		 * destination-options headers (fragments and others: no ports here). */
		l4 = 40;
		if (bpf_skb_load_bytes(skb, 6, &proto, 1))
			return config.snaplen;
		for (int i = 0; i < 3; i++) {
			__u8 ext[2];

			if (proto != 0 && proto != 43 && proto != 60)
				break;
			if (bpf_skb_load_bytes(skb, l4, ext, 2))
				return config.snaplen;
			proto = ext[0];
			l4 += (ext[1] + 1) * 8;
		}
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return config.snaplen;
	if (bpf_skb_load_bytes(skb, l4, ports, sizeof(ports)))
		return config.snaplen;
	if (ports[0] == bpf_htons(53) || ports[1] == bpf_htons(53))
		return len;
	return config.snaplen;
}

/* Moves a pending claim on `sk` (see `claims`) into its storage; returns the storage entry. */
static __always_inline struct nr_sock_owner *take_claim(struct bpf_sock *sk, struct nr_sock_owner *owner)
{
	__u32 zero = 0;
	__s64 *live = bpf_map_lookup_elem(&claims_live, &zero);
	struct nr_sock_owner *claim;
	__u64 key = (__u64)sk;

	if (!live || *live <= 0)
		return owner;
	claim = bpf_map_lookup_elem(&claims, &key);
	if (!claim)
		return owner;
	if (!owner)
		owner = bpf_sk_storage_get(&sock_owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (owner)
		owner->task = claim->task;
	if (bpf_map_delete_elem(&claims, &key) == 0)
		__sync_fetch_and_add(live, -1);
	return owner;
}

/* fill_packet()'s `how`: the direction, and whether current is the sending task (BPF calls
 * take five arguments at most). */
#define NR_HOW_SENDER 0x100

/* The packet record's fields and task context; `cap` packet bytes follow (see capture()).
 * `owner`: the socket's storage entry, if any. */
static __noinline void fill_packet(struct __sk_buff *skb, struct nr_packet *rec, __u32 cap, __u32 how,
				   struct nr_sock_owner *owner)
{
	struct task_struct *task = bpf_get_current_task_btf();

	rec->type = NR_REC_PACKET;
	rec->cpu = bpf_get_smp_processor_id();
	rec->time = bpf_ktime_get_tai_ns();
	rec->sock_cookie = bpf_get_socket_cookie(skb);
	rec->ifindex = skb->ifindex;
	rec->wire_len = skb->len;
	rec->cap_len = cap;
	rec->protocol = bpf_ntohs(skb->protocol);
	rec->direction = how & 0xff;
	rec->task_source = NR_TASK_NONE;
	__builtin_memset(&rec->task, 0, sizeof(rec->task));

	if (how & NR_HOW_SENDER) {
		rec->task_source = NR_TASK_CURRENT;
		if (owner && owner_is_current(&owner->task, task)) {
			rec->task = owner->task;
			return;
		}
		fill_task(&rec->task, task);
		/* The sender now owns the socket: later ingress packets are its too. Only sockets
		 * with an entry: the kernel's own control sockets (ICMP replies, RSTs, ND) never get
		 * one, though a syscall may make them send in process context (an MLD report). */
		if (owner)
			owner->task = rec->task;
	} else if (owner) {
		rec->task_source = NR_TASK_SOCKET;
		rec->task = owner->task;
	}
}

/*
 * A ring-buffer reservation must have a constant size, so packets go into records of a few size
 * classes: the slack is at most half the record instead of 64 KiB for every ACK. Each class is
 * its own branch so the verifier sees the copy bounded by that record's size.
 */
#define SIZE_CLASSES(X) X(128) X(256) X(512) X(1024) X(2048) X(4096) X(8192) X(16384) X(32768) X(65536)

/* One copy function per class: separate functions keep clang from merging the copies into one
 * call whose bound the verifier could not tie to the record size. In cgroup_skb programs
 * skb->data is the network header, so offset 0 is the L3 header; bpf_skb_load_bytes also reads
 * paged data (bpf_skb_load_bytes_relative reads only the linear part: TCP payloads fail). */
#define DEFINE_LOAD(n)                                                                       \
	static __noinline long load_##n(struct __sk_buff *skb, struct nr_packet *rec, __u64 len) \
	{                                                                                     \
		barrier_var(len); /* or clang drops the clamp, knowing the callers */         \
		if (len > (n))                                                                \
			len = (n);                                                            \
		if (len == 0)                                                                 \
			return -1;                                                            \
		return bpf_skb_load_bytes(skb, 0, rec->data, len);                            \
	}
SIZE_CLASSES(DEFINE_LOAD)
#undef DEFINE_LOAD

static __always_inline void capture(struct __sk_buff *skb, __u8 direction)
{
	struct nr_counters *count = cpu_counters();
	struct nr_sock_owner *owner = NULL;
	struct bpf_sock *sk = skb->sk;
	struct nr_packet *rec;
	int sender;
	__u32 cap;

	if (!count)
		return;
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk) {
		owner = bpf_sk_storage_get(&sock_owners, sk, 0, 0);
		owner = take_claim(sk, owner);
	}
	sender = direction == NR_DIR_EGRESS && in_task_context(bpf_get_current_task_btf());
	if (config.trace && !(sender ? trace_keeps_current()
				     : owner && trace_keeps(owner->task.host_pid, owner->task.host_tid, owner->task.comm,
							   owner->task.leader_comm))) {
		__sync_fetch_and_add(&count->filtered, 1);
		return;
	}

	cap = capture_length(skb);
	if (cap > skb->len)
		cap = skb->len;
	if (cap > NR_MAX_CAPTURE)
		cap = NR_MAX_CAPTURE;
	if (cap < skb->len)
		__sync_fetch_and_add(&count->truncated, 1);

#define EMIT(n)                                                                              \
	if (cap <= (n)) {                                                                     \
		rec = bpf_ringbuf_reserve(&events, sizeof(struct nr_packet) + (n), 0);        \
		if (!rec) {                                                                   \
			__sync_fetch_and_add(&count->lost_packets, 1);                        \
			return;                                                               \
		}                                                                             \
		fill_packet(skb, rec, cap, direction | (sender ? NR_HOW_SENDER : 0), owner);  \
		if (load_##n(skb, rec, cap))                                                  \
			rec->cap_len = 0;                                                     \
		__sync_fetch_and_add(&count->packets, 1);                                     \
		bpf_ringbuf_submit(rec, 0);                                                   \
		return;                                                                       \
	}
	SIZE_CLASSES(EMIT)
#undef EMIT
}

SEC("cgroup_skb/ingress")
int nr_ingress(struct __sk_buff *skb)
{
	capture(skb, NR_DIR_INGRESS);
	return 1;
}

SEC("cgroup_skb/egress")
int nr_egress(struct __sk_buff *skb)
{
	capture(skb, NR_DIR_EGRESS);
	return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Socket owners */

SEC("cgroup/sock_create")
int nr_sock_create(struct bpf_sock *sk)
{
	own_socket(sk);
	return 1;
}

SEC("cgroup/post_bind4")
int nr_post_bind4(struct bpf_sock *sk)
{
	own_socket(sk);
	return 1;
}

SEC("cgroup/post_bind6")
int nr_post_bind6(struct bpf_sock *sk)
{
	own_socket(sk);
	return 1;
}

SEC("cgroup/connect4")
int nr_connect4(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

SEC("cgroup/connect6")
int nr_connect6(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

SEC("cgroup/sendmsg4")
int nr_sendmsg4(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

SEC("cgroup/sendmsg6")
int nr_sendmsg6(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

SEC("cgroup/recvmsg4")
int nr_recvmsg4(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

SEC("cgroup/recvmsg6")
int nr_recvmsg6(struct bpf_sock_addr *ctx)
{
	own_socket(ctx->sk);
	return 1;
}

/* A socket closed before any packet took its claim: the claim goes (its address will be reused). */
SEC("cgroup/sock_release")
int nr_sock_release(struct bpf_sock *sk)
{
	__u32 zero = 0;
	__s64 *live = bpf_map_lookup_elem(&claims_live, &zero);
	__u64 key = (__u64)sk;

	if (live && *live > 0 && bpf_map_delete_elem(&claims, &key) == 0)
		__sync_fetch_and_add(live, -1);
	return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Sockets that change hands: accept and SCM_RIGHTS */

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define AF_INET 2
#define AF_INET6 10
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define TS_COMPAT 0x0002
/* x86-64 syscall numbers (a 32-bit task's are others: TS_COMPAT is checked first). */
#define NR_SYS_ACCEPT 43
#define NR_SYS_RECVMSG 47
#define NR_SYS_ACCEPT4 288
/* SCM_RIGHTS messages and descriptors per message looked at in one recvmsg. */
#define NR_CMSG_MAX 2
#define NR_CMSG_FDS_MAX 8

/* The task that holds descriptor `fd` of `task` now owns its socket, if it is an IPv4/IPv6 one. */
static __noinline int claim_fd(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct nr_sock_owner claim;
	struct file *file = NULL;
	struct file **fds;
	struct socket *sock;
	struct sock *sk;
	__u16 family;
	__u32 zero = 0;
	__s64 *live;
	__u64 key;

	if (!fdt || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xffffff]);
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (!sk || (family != AF_INET && family != AF_INET6))
		return 0;
	fill_task(&claim.task, task);
	key = (__u64)sk;
	live = bpf_map_lookup_elem(&claims_live, &zero);
	if (bpf_map_update_elem(&claims, &key, &claim, BPF_NOEXIST) == 0) {
		if (live)
			__sync_fetch_and_add(live, 1);
	} else if (bpf_map_update_elem(&claims, &key, &claim, BPF_EXIST) != 0) {
		struct nr_counters *count = cpu_counters();

		if (count)
			__sync_fetch_and_add(&count->lost_claims, 1);
	}
	return 0;
}

/* The user's struct msghdr and struct cmsghdr (64-bit layouts). */
struct nr_user_msghdr {
	__u64 name;
	__u32 namelen;
	__u32 _pad0;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
};

struct nr_cmsghdr {
	__u64 len;
	__s32 level;
	__s32 type;
};

/* After a recvmsg() that returned control data: every socket it received via SCM_RIGHTS. */
static __always_inline void claim_received(struct task_struct *task, __u64 umsg)
{
	struct nr_user_msghdr msg;
	__u64 at, end;

	/* The kernel wrote back msg_controllen: the bytes of control data it delivered. */
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)umsg) || msg.controllen < sizeof(struct nr_cmsghdr))
		return;
	at = msg.control;
	end = msg.control + msg.controllen;
	for (int m = 0; m < NR_CMSG_MAX; m++) {
		struct nr_cmsghdr cmsg;
		int fds[NR_CMSG_FDS_MAX];
		__u64 n;

		if (at + sizeof(cmsg) > end || bpf_probe_read_user(&cmsg, sizeof(cmsg), (void *)at))
			return;
		if (cmsg.len < sizeof(cmsg) || at + cmsg.len > end)
			return;
		if (cmsg.level == SOL_SOCKET && cmsg.type == SCM_RIGHTS) {
			n = (cmsg.len - sizeof(cmsg)) / sizeof(int);
			if (n > NR_CMSG_FDS_MAX)
				n = NR_CMSG_FDS_MAX;
			if (bpf_probe_read_user(fds, sizeof(fds), (void *)(at + sizeof(cmsg))))
				__builtin_memset(fds, 0xff, sizeof(fds));
			for (int i = 0; i < NR_CMSG_FDS_MAX; i++)
				if (i < n)
					claim_fd(task, fds[i]);
		}
		at += (cmsg.len + 7) & ~7ULL; /* CMSG_ALIGN */
	}
}

/* sys_exit(struct pt_regs *regs, long ret): runs at the end of every syscall, so it does as
 * little as possible for the others. */
SEC("raw_tp/sys_exit")
int nr_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long ret = (long)ctx->args[1];
	struct task_struct *task;
	long nr;

	if (ret < 0 || !bpf_core_field_exists(regs->orig_ax))
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr != NR_SYS_ACCEPT && nr != NR_SYS_ACCEPT4 && nr != NR_SYS_RECVMSG)
		return 0;
	task = bpf_get_current_task_btf();
	if (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT)
		return 0;
	if (config.cgroup_only && bpf_current_task_under_cgroup(&capture_cgroup, 0) != 1)
		return 0;
	if (nr == NR_SYS_RECVMSG)
		claim_received(task, BPF_CORE_READ(regs, si));
	else
		claim_fd(task, ret);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Process lifecycle */

static __always_inline struct nr_lifecycle *reserve_lifecycle(__u32 type)
{
	struct nr_lifecycle *rec;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	/* The event's task is current, or (fork) its child, which is in current's cgroup. */
	if (config.cgroup_only && bpf_current_task_under_cgroup(&capture_cgroup, 0) != 1)
		return NULL;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		struct nr_counters *count = cpu_counters();

		if (count)
			__sync_fetch_and_add(&count->lost_lifecycle, 1);
		return NULL;
	}
	rec->type = type;
	rec->cpu = bpf_get_smp_processor_id();
	rec->time = bpf_ktime_get_tai_ns();
	rec->actor_tid = (__u32)pid_tgid;
	rec->actor_pid = pid_tgid >> 32;
	rec->exit_code = 0;
	rec->text_len = 0;
	rec->text[0] = 0;
	return rec;
}

static __always_inline void set_text(struct nr_lifecycle *rec, const char *src)
{
	long n = bpf_probe_read_kernel_str(rec->text, sizeof(rec->text), src);

	rec->text_len = n > 0 ? n - 1 : 0;
}

/* sched_process_fork(struct task_struct *parent, struct task_struct *child) */
SEC("raw_tp/sched_process_fork")
int nr_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	struct nr_lifecycle *rec;

	/* --trace follow: a new process of a kept task is kept (threads share their tgid). */
	if ((config.trace & NR_TRACE_FOLLOW) && trace_keeps_current()) {
		__u32 pid = BPF_CORE_READ(child, tgid);
		__u8 followed = NR_TRACE_FOLLOWED;

		bpf_map_update_elem(&trace_pids, &pid, &followed, BPF_NOEXIST);
	}
	rec = reserve_lifecycle(NR_REC_FORK);
	if (!rec)
		return 0;
	fill_task(&rec->task, child);
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("raw_tp/sched_process_exec")
int nr_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	struct nr_lifecycle *rec = reserve_lifecycle(NR_REC_EXEC);

	if (!rec)
		return 0;
	fill_task(&rec->task, task);
	note_uts(task, rec->task.uts_ns, 1);
	set_text(rec, BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* sched_process_exit(struct task_struct *p[, bool group_dead]) */
SEC("raw_tp/sched_process_exit")
int nr_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct nr_lifecycle *rec;
	__u32 pid = BPF_CORE_READ(task, tgid);

	/* A followed process leaves the set when its main thread exits (its pid may be reused). */
	if ((config.trace & NR_TRACE_FOLLOW) && pid == (__u32)BPF_CORE_READ(task, pid)) {
		__u8 *why = bpf_map_lookup_elem(&trace_pids, &pid);

		if (why && *why == NR_TRACE_FOLLOWED)
			bpf_map_delete_elem(&trace_pids, &pid);
	}
	rec = reserve_lifecycle(NR_REC_EXIT);
	if (!rec)
		return 0;
	fill_task(&rec->task, task);
	rec->exit_code = BPF_CORE_READ(task, exit_code);
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* task_rename(struct task_struct *task, const char *comm): fires before the comm changes. */
SEC("raw_tp/task_rename")
int nr_rename(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct nr_lifecycle *rec;

	/* exec renames the task too; its exec record already carries the new comm. */
	if ((__u64)task == bpf_get_current_task() && BPF_CORE_READ_BITFIELD_PROBED(task, in_execve))
		return 0;
	rec = reserve_lifecycle(NR_REC_COMM);
	if (!rec)
		return 0;
	fill_task(&rec->task, task);
	set_text(rec, (const char *)ctx->args[1]);
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Softirq bookkeeping for in_task_context() */

SEC("raw_tp/softirq_entry")
int nr_softirq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	__u32 *depth = bpf_map_lookup_elem(&softirq_depth, &zero);

	if (depth)
		*depth += 1;
	return 0;
}

SEC("raw_tp/softirq_exit")
int nr_softirq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	__u32 *depth = bpf_map_lookup_elem(&softirq_depth, &zero);

	/* An exit whose entry ran before we attached finds 0: stay at 0. */
	if (depth && *depth)
		*depth -= 1;
	return 0;
}
