/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel <-> user space ABI of `netrec record`: every record the BPF programs put into the
 * ring buffer, the socket-storage value, the load-time configuration and the counters.
 *
 * All fields are fixed-width and explicitly padded so the layout is the same for clang -target
 * bpf and for the TypeScript decoder (src/record/abi.ts mirrors this file; a test compares the
 * two against the compiled object's BTF). Multi-byte fields are host byte order (little-endian
 * on every architecture netrec loads on); packet bytes are as on the wire.
 *
 * Change rules: any layout change bumps NETREC_ABI_VERSION; user space refuses an object whose
 * version differs from its own.
 */
#ifndef NETREC_H
#define NETREC_H

#define NETREC_ABI_VERSION 2

/* Largest number of packet bytes one record carries (the ring buffer also needs 64 KiB records
 * for GSO super-packets on loopback, whose skb->len reaches 64 KiB). */
#define NR_MAX_CAPTURE 65535
/* Bytes of an exec'd file name or a new comm carried by a lifecycle record. */
#define NR_PATH_MAX 256
#define NR_COMM_LEN 16
/* __NEW_UTS_LEN + 1, rounded up to 8 */
#define NR_NODENAME_LEN 72

/* Record type: the first field of every ring-buffer record. */
enum nr_record_type {
	NR_REC_PACKET = 1,
	NR_REC_FORK = 2,
	NR_REC_EXEC = 3,
	NR_REC_EXIT = 4,
	NR_REC_COMM = 5,
};

enum nr_direction {
	NR_DIR_INGRESS = 1,
	NR_DIR_EGRESS = 2,
};

/* Where a packet's task context came from. */
enum nr_task_source {
	/* No owner known: kernel-generated packets (ICMP errors, RSTs from the control socket),
	 * sockets that existed before recording and were not seeded. */
	NR_TASK_NONE = 0,
	/* The task running the egress program in process context (exact thread). */
	NR_TASK_CURRENT = 1,
	/* The socket's owner from socket-local storage: the last task seen creating, binding,
	 * connecting, sending or receiving (UDP with an address) on it, accepting it or receiving
	 * it over a unix socket (SCM_RIGHTS); for a connection not accepted yet, the listener's. */
	NR_TASK_SOCKET = 2,
};

/* nr_task.flags */
enum nr_task_flags {
	/* Written from /proc by user space before recording started: start_time has /proc's
	 * clock-tick resolution and is boot-time based, until a hook sees the task run. */
	NR_TASK_F_SEEDED = 1,
};

/*
 * A task (thread) as the kernel saw it. 96 bytes.
 * Host ids are in the initial pid namespace; tid/pid/ppid are in the task's own pid namespace
 * (ppid is 0 when the parent is outside it).
 */
struct nr_task {
	__u64 start_time;      /* task->start_time: ns since boot, CLOCK_MONOTONIC */
	__u64 cgroup_id;       /* cgroup v2 id (kernfs inode) of the task's cgroup */
	__u32 host_tid;
	__u32 host_pid;
	__u32 host_ppid;       /* tgid of real_parent */
	__u32 tid;
	__u32 pid;
	__u32 ppid;
	__u32 uid;             /* real uid, as seen from the initial user namespace */
	__u32 mnt_ns;          /* inode numbers of the namespaces */
	__u32 pid_ns;
	__u32 uts_ns;          /* key of the uts_names map (the host name) */
	__u32 flags;           /* enum nr_task_flags */
	__u32 _pad0;
	char comm[NR_COMM_LEN];        /* the thread's name (Tracee's processName) */
	char leader_comm[NR_COMM_LEN]; /* the thread-group leader's: the process's name */
};

/* Ring-buffer record NR_REC_PACKET. 136 bytes, then cap_len packet bytes. */
struct nr_packet {
	__u32 type;            /* NR_REC_PACKET */
	__u32 cpu;
	__u64 time;            /* CLOCK_TAI ns (bpf_ktime_get_tai_ns) */
	__u64 sock_cookie;     /* bpf_get_socket_cookie() of the owning socket, 0 if none */
	__u32 ifindex;
	__u32 wire_len;        /* skb->len: bytes from the L3 header (GSO super-packets whole) */
	__u32 cap_len;         /* bytes in data[] */
	__u16 protocol;        /* ethertype, host order: 0x0800 IPv4, 0x86dd IPv6 */
	__u8 direction;        /* enum nr_direction */
	__u8 task_source;      /* enum nr_task_source */
	struct nr_task task;   /* zero when task_source is NR_TASK_NONE */
	__u8 data[];           /* from the L3 header; the record is padded to a size class */
};

/*
 * Ring-buffer records NR_REC_FORK, NR_REC_EXEC, NR_REC_EXIT and NR_REC_COMM. 384 bytes.
 *   fork: actor = the forking thread (current), task = the child;
 *   exec: actor = task = the process after the exec, text = the file name given to exec;
 *   exit: actor = task = the exiting thread, exit_code = task->exit_code (wait status form);
 *   comm: actor = current (the renamer), task = the renamed thread as it was, text = new comm.
 */
struct nr_lifecycle {
	__u32 type;
	__u32 cpu;
	__u64 time;            /* CLOCK_TAI ns */
	__u32 actor_tid;
	__u32 actor_pid;
	__s32 exit_code;
	__u32 text_len;        /* bytes of text[] used, without the terminating NUL */
	struct nr_task task;
	char text[NR_PATH_MAX];
};

/* Value of the socket-local storage map `sock_owners`. */
struct nr_sock_owner {
	struct nr_task task;
};

/* Value of the `uts_names` hash (key: uts namespace inode number). */
struct nr_uts_name {
	char nodename[NR_NODENAME_LEN]; /* NUL-terminated */
};

/* Per-CPU counters (`counters` PERCPU_ARRAY, key 0). Monotonic; user space reads deltas. */
struct nr_counters {
	__u64 packets;          /* packet records submitted */
	__u64 lost_packets;     /* packets whose ring-buffer reservation failed */
	__u64 lost_lifecycle;   /* lifecycle records whose reservation failed */
	__u64 truncated;        /* packets cut by the snaplen or NR_MAX_CAPTURE */
	__u64 filtered;         /* packets the --trace prefilter left out */
	__u64 lost_claims;      /* accepted or received sockets whose new owner found no room */
};

/*
 * nr_config.trace: the kernel-side prefilter of a record-time --trace. It keeps a superset of
 * what the user-space filter keeps (that one decides): a packet passes when its task's pid or
 * tid is in `trace_pids`, or its comm or its leader's in `trace_comms`, for the sets enabled here.
 */
enum nr_trace_flags {
	NR_TRACE_PIDS = 1,
	NR_TRACE_COMMS = 2,
	/* A process forked by a kept task is added to trace_pids (NR_TRACE_FOLLOWED). */
	NR_TRACE_FOLLOW = 4,
};

/* Values of trace_pids: why a pid is there (followed ones leave at exit). */
enum nr_trace_pid {
	NR_TRACE_GIVEN = 1,
	NR_TRACE_FOLLOWED = 2,
};

/* Load-time configuration, the object's only .rodata variable (`const volatile`). */
struct nr_config {
	__u32 abi_version;      /* NETREC_ABI_VERSION as compiled; user space checks it */
	__u32 snaplen;          /* packet bytes kept, from the L3 header; DNS is always whole */
	/* Non-zero: lifecycle records only for tasks under the cgroup in `capture_cgroup` (the
	 * --cgroup subtree; the packet programs are attached there and see nothing else). */
	__u32 cgroup_only;
	__u32 trace;            /* enum nr_trace_flags; 0: no prefilter */
};

#endif /* NETREC_H */
