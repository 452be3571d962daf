/**
 * Typed bindings to libbpf.so.1 and the few libc calls live capture needs. The only module that
 * imports koffi: everything else in src/record sees plain numbers, bigint pointers and Buffers.
 *
 * Conventions of the bound functions (libbpf 1.x): constructors return a pointer or null with
 * errno set; other calls return 0 or a negative errno. `fail()` turns either into a NativeError.
 */
import koffi, { type LibraryHandle } from 'koffi';

/** An opaque native pointer (koffi 3 represents pointers as bigint). */
export type Pointer = bigint;

/** A libbpf or libc call failed: which step, and the errno. */
export class NativeError extends Error {
  override readonly name = 'NativeError';
  constructor(
    readonly step: string,
    readonly errno: number,
    readonly detail = '',
  ) {
    super(`${step}: ${errnoText(errno)}${detail ? `\n${detail}` : ''}`);
  }
}

/** libbpf.so.1 could not be loaded (not installed, wrong architecture). */
export class LibraryMissingError extends Error {
  override readonly name = 'LibraryMissingError';
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(koffi.os.errno).map(([name, n]) => [n, name]));

/** "EPERM (Operation not permitted)". */
export function errnoText(errno: number): string {
  const n = Math.abs(errno);
  const name = ERRNO_NAMES.get(n) ?? `errno ${n}`;
  const text = native === undefined ? '' : (native.strerror(n) as string);
  return text ? `${name} (${text})` : name;
}

export interface Libbpf {
  /** Opens an object file; on a failed load, `kernelLog` receives the verifier log. */
  openObject(path: string, kernelLog: Buffer): Pointer | null;
  loadObject(obj: Pointer): number;
  closeObject(obj: Pointer): void;
  findProgram(obj: Pointer, name: string): Pointer | null;
  findMap(obj: Pointer, name: string): Pointer | null;
  mapFd(map: Pointer): number;
  setMaxEntries(map: Pointer, n: number): number;
  /** The map's initial contents (for .rodata: the `const volatile` globals), writable before load. */
  initialValue(map: Pointer): ArrayBuffer | null;
  attachCgroup(prog: Pointer, cgroupFd: number): Pointer | null;
  attachRawTracepoint(prog: Pointer, name: string): Pointer | null;
  destroyLink(link: Pointer): number;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags: number): number;
  mapLookup(fd: number, key: Buffer, value: Buffer): number;
  possibleCpus(): number;
  /** Routes libbpf's log lines (already formatted) to `sink`; null silences libbpf. */
  setPrint(sink: ((level: number, line: string) => void) | null): void;
  /** The errno of the last failed call. */
  errno(): number;
}

export interface Libc {
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): Pointer | null;
  munmap(addr: Pointer, length: number): number;
  /** An ArrayBuffer over native memory, without copying (valid until munmap). */
  view(addr: Pointer, length: number): ArrayBuffer;
  pidfdOpen(pid: number): number;
  pidfdGetfd(pidfd: number, fd: number): number;
  /** getsockopt(fd, SOL_SOCKET, SO_DOMAIN): the address family, or -1. */
  socketDomain(fd: number): number;
  /** clock_gettime in ns. */
  clockNs(clock: number): bigint;
  pageSize(): number;
  errno(): number;
}

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const CLOCK_REALTIME = 0;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_TAI = 11;
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;

// syscall numbers: x86_64 and the generic table (arm64, riscv) share these two.
const SYS_PIDFD_OPEN = 434;
const SYS_PIDFD_GETFD = 438;
const SOL_SOCKET = 1;
const SO_DOMAIN = 39;
const SC_PAGESIZE = 30;

interface Native {
  libbpf: Libbpf;
  libc: Libc;
  strerror: (n: number) => string;
}

let native: Native | undefined;

/** Loads libbpf.so.1 and libc once; throws LibraryMissingError when libbpf is absent. */
export function loadNative(): { libbpf: Libbpf; libc: Libc } {
  native ??= bind();
  return native;
}

function bind(): Native {
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libbpf.so.1');
  } catch (err) {
    throw new LibraryMissingError(`cannot load libbpf.so.1: ${(err as Error).message}`);
  }
  const c = koffi.load('libc.so.6');

  // bpf_object_open_opts of libbpf 1.1 (libbpf.h); `sz` tells libbpf which fields we know.
  const openOpts = koffi.struct('bpf_object_open_opts', {
    sz: 'size_t',
    object_name: 'const char *',
    relaxed_maps: 'bool',
    pin_root_path: 'const char *',
    _attach_prog_fd_stub: 'uint32_t',
    kconfig: 'const char *',
    btf_custom_path: 'const char *',
    kernel_log_buf: 'void *',
    kernel_log_size: 'size_t',
    kernel_log_level: 'uint32_t',
  });
  koffi.struct('nr_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
  for (const t of ['bpf_object', 'bpf_program', 'bpf_map', 'bpf_link']) koffi.opaque(t);
  const printFn = koffi.proto('int netrec_libbpf_print_fn(int level, const char *fmt, void *args)');

  const fn = {
    open: lib.func('bpf_object *bpf_object__open_file(const char *path, const bpf_object_open_opts *opts)'),
    load: lib.func('int bpf_object__load(bpf_object *obj)'),
    close: lib.func('void bpf_object__close(bpf_object *obj)'),
    findProgram: lib.func('bpf_program *bpf_object__find_program_by_name(const bpf_object *obj, const char *name)'),
    findMap: lib.func('bpf_map *bpf_object__find_map_by_name(const bpf_object *obj, const char *name)'),
    mapFd: lib.func('int bpf_map__fd(const bpf_map *map)'),
    setMaxEntries: lib.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t n)'),
    initialValue: lib.func('void *bpf_map__initial_value(bpf_map *map, _Out_ size_t *size)'),
    attachCgroup: lib.func('bpf_link *bpf_program__attach_cgroup(const bpf_program *prog, int cgroup_fd)'),
    attachRawTp: lib.func('bpf_link *bpf_program__attach_raw_tracepoint(const bpf_program *prog, const char *name)'),
    destroyLink: lib.func('int bpf_link__destroy(bpf_link *link)'),
    mapUpdate: lib.func('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
    mapLookup: lib.func('int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)'),
    possibleCpus: lib.func('int libbpf_num_possible_cpus(void)'),
    setPrint: lib.func('void *libbpf_set_print(netrec_libbpf_print_fn *fn)'),
    vsnprintf: c.func('int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *args)'),
    strerror: c.func('const char *strerror(int errnum)'),
    mmap: c.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)'),
    munmap: c.func('int munmap(void *addr, size_t length)'),
    syscall: c.func('long syscall(long number, ...)'),
    getsockopt: c.func('int getsockopt(int fd, int level, int name, _Out_ int *value, _Inout_ uint32_t *len)'),
    clockGettime: c.func('int clock_gettime(int clock, _Out_ nr_timespec *ts)'),
    sysconf: c.func('long sysconf(int name)'),
  };

  const MAP_FAILED = (1n << 64n) - 1n;
  let printCallback: bigint | undefined;
  const line = Buffer.alloc(4096);

  const libbpf: Libbpf = {
    openObject: (path, kernelLog) =>
      fn.open(path, { sz: openOpts.size, kernel_log_buf: kernelLog, kernel_log_size: kernelLog.length, kernel_log_level: 0 }) as Pointer | null,
    loadObject: (obj) => fn.load(obj) as number,
    closeObject: (obj) => void fn.close(obj),
    findProgram: (obj, name) => fn.findProgram(obj, name) as Pointer | null,
    findMap: (obj, name) => fn.findMap(obj, name) as Pointer | null,
    mapFd: (map) => fn.mapFd(map) as number,
    setMaxEntries: (map, n) => fn.setMaxEntries(map, n) as number,
    initialValue: (map) => {
      const size: [number] = [0];
      const ptr = fn.initialValue(map, size) as Pointer | null;
      return ptr === null ? null : koffi.view(ptr, Number(size[0]));
    },
    attachCgroup: (prog, fd) => fn.attachCgroup(prog, fd) as Pointer | null,
    attachRawTracepoint: (prog, name) => fn.attachRawTp(prog, name) as Pointer | null,
    destroyLink: (link) => fn.destroyLink(link) as number,
    mapUpdate: (fd, key, value, flags) => fn.mapUpdate(fd, key, value, flags) as number,
    mapLookup: (fd, key, value) => fn.mapLookup(fd, key, value) as number,
    possibleCpus: () => fn.possibleCpus() as number,
    setPrint: (sink) => {
      // libbpf hands over printf arguments as a va_list; vsnprintf formats them in place.
      const previous = printCallback;
      printCallback =
        sink === null
          ? undefined
          : koffi.register((level: number, fmt: string, args: Pointer) => {
              const n = fn.vsnprintf(line, line.length, fmt, args) as number;
              if (n > 0) sink(level, line.toString('utf8', 0, Math.min(n, line.length - 1)).replace(/\n$/, ''));
              return 0;
            }, koffi.pointer(printFn));
      // null silences libbpf (its default printer writes warnings to stderr).
      fn.setPrint(printCallback ?? null);
      if (previous !== undefined) koffi.unregister(previous);
    },
    errno: () => koffi.errno(),
  };

  const libc: Libc = {
    mmap: (length, prot, flags, fd, offset) => {
      const p = fn.mmap(null, length, prot, flags, fd, offset) as Pointer | null;
      return p === null || p === MAP_FAILED ? null : p;
    },
    munmap: (addr, length) => fn.munmap(addr, length) as number,
    view: (addr, length) => koffi.view(addr, length),
    pidfdOpen: (pid) => Number(fn.syscall(SYS_PIDFD_OPEN, 'int', pid, 'unsigned int', 0)),
    pidfdGetfd: (pidfd, fd) => Number(fn.syscall(SYS_PIDFD_GETFD, 'int', pidfd, 'int', fd, 'unsigned int', 0)),
    socketDomain: (fd) => {
      const value: [number] = [0];
      const len: [number] = [4];
      return fn.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, value, len) === 0 ? value[0] : -1;
    },
    clockNs: (clock) => {
      const ts = { tv_sec: 0, tv_nsec: 0 };
      if (fn.clockGettime(clock, ts) !== 0) throw new NativeError(`clock_gettime(${clock})`, koffi.errno());
      return BigInt(ts.tv_sec) * 1_000_000_000n + BigInt(ts.tv_nsec);
    },
    pageSize: () => Number(fn.sysconf(SC_PAGESIZE)),
    errno: () => koffi.errno(),
  };

  return { libbpf, libc, strerror: (n) => fn.strerror(n) as string };
}
