/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel-internal types netrec reads, declared with only the fields it uses.
 *
 * Why not a generated vmlinux.h: the committed object must be reproducible on any build host,
 * and a vmlinux.h dumped from the build host's kernel would make its BTF depend on that kernel.
 * With preserve_access_index, libbpf relocates every field access below against the running
 * kernel's BTF at load time (CO-RE), matching by struct and field name, so these declarations
 * need neither the real layout nor the other fields.
 */
#ifndef NETREC_KERNEL_H
#define NETREC_KERNEL_H

#define PF_KTHREAD 0x00200000

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct pid_namespace {
	unsigned int level;
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct mnt_namespace {
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct new_utsname {
	char nodename[65];
} __attribute__((preserve_access_index));

struct uts_namespace {
	struct new_utsname name;
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct nsproxy {
	struct uts_namespace *uts_ns;
	struct mnt_namespace *mnt_ns;
} __attribute__((preserve_access_index));

struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

typedef struct {
	__u32 val;
} kuid_t;

struct cred {
	kuid_t uid;
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

/* x86: TS_COMPAT in thread_info.status marks a 32-bit syscall (other syscall numbers). */
struct thread_info {
	__u32 status;
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int flags;
	unsigned int in_execve : 1;
	int exit_code;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	__u64 start_time;
	const struct cred *cred;
	char comm[16];
	struct nsproxy *nsproxy;
	struct css_set *cgroups;
	struct files_struct *files;
	struct thread_info thread_info;
} __attribute__((preserve_access_index));

struct inode {
	unsigned short i_mode;
} __attribute__((preserve_access_index));

struct file {
	struct inode *f_inode;
	void *private_data;
} __attribute__((preserve_access_index));

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct {
	struct fdtable *fdt;
} __attribute__((preserve_access_index));

struct sock_common {
	unsigned short skc_family;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

struct socket {
	struct sock *sk;
} __attribute__((preserve_access_index));

/* x86-64: the registers saved at syscall entry (the arguments stay there until the exit). */
struct pt_regs {
	unsigned long si;
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

#endif /* NETREC_KERNEL_H */
