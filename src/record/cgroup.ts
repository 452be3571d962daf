/**
 * cgroup v2: where the hierarchy is mounted, cgroup ids back to paths, and container ids from
 * paths.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Unified mode mounts cgroup2 at /sys/fs/cgroup; hybrid mode (systemd) at /sys/fs/cgroup/unified. */
const CANDIDATES = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** The mount point of the cgroup v2 hierarchy, or undefined when there is none. */
export function findCgroup2Root(mountinfo = readMountinfo()): string | undefined {
  const mounts = new Map<string, string>(); // mount point → root within the hierarchy
  for (const line of mountinfo.split('\n')) {
    // "36 25 0:31 / /sys/fs/cgroup/unified rw,... shared:9 - cgroup2 cgroup2 rw,..."
    const [left, right] = line.split(' - ');
    if (right === undefined || !right.startsWith('cgroup2 ')) continue;
    const fields = left!.split(' ');
    const root = fields[3];
    const point = fields[4];
    if (root !== undefined && point !== undefined) mounts.set(unescapeMount(point), unescapeMount(root));
  }
  // Only a mount of the whole hierarchy ("/") sees every cgroup (a container may have a subtree).
  const whole = [...mounts].filter(([, root]) => root === '/').map(([point]) => point);
  return CANDIDATES.find((c) => whole.includes(c)) ?? whole[0];
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * A cgroup id is the inode number of its directory in cgroupfs. This index maps ids back to
 * paths (relative to the root, "/" for the root itself), rescanning the tree on a miss, at most
 * once per `rescanMs` so unknown ids cannot make it walk the tree for every packet.
 */
export class CgroupIndex {
  private readonly paths = new Map<bigint, string>();
  private lastScan = Number.NEGATIVE_INFINITY;

  constructor(
    readonly root: string,
    private readonly rescanMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  pathOf(id: bigint): string | undefined {
    const known = this.paths.get(id);
    if (known !== undefined || this.now() - this.lastScan < this.rescanMs) return known;
    this.scan();
    return this.paths.get(id);
  }

  /** The id of a cgroup given by its path relative to the root ("/system.slice/x.service"). */
  idOf(path: string): bigint | undefined {
    try {
      return statSync(join(this.root, path), { bigint: true }).ino;
    } catch {
      return undefined;
    }
  }

  private scan(): void {
    this.lastScan = this.now();
    const walk = (rel: string): void => {
      let ino: bigint;
      try {
        ino = statSync(join(this.root, rel), { bigint: true }).ino;
      } catch {
        return; // removed while we walked
      }
      this.paths.set(ino, rel === '' ? '/' : rel);
      let entries;
      try {
        entries = readdirSync(join(this.root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) walk(`${rel}/${e.name}`);
    };
    walk('');
  }
}

/**
 * The container id in a cgroup path, or '' when it names none: the innermost component that
 * carries a 64-hex-digit id, as runtimes name them (Docker "docker-<id>.scope" or "/docker/<id>",
 * containerd "cri-containerd-<id>.scope", CRI-O "crio-<id>.scope", Podman "libpod-<id>.scope",
 * Kubernetes pods ".../kubepods-…/<id>").
 */
export function containerIdFromPath(path: string): string {
  const parts = path.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /^(?:[a-z][a-z0-9-]*[-:])?([0-9a-f]{64})(?:\.scope)?$/.exec(parts[i]!);
    if (m) return m[1]!;
  }
  return '';
}
