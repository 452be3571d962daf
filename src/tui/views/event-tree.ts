/**
 * The detail pane's tree: a packet's events as their Tracee JSON, one node per key, collapsible.
 * The events are the packet's layers, in layer order as Wireshark lists them (IP, then TCP/UDP/
 * ICMP, then DNS): the row's event is open, the other layers closed. Within an event, `args`
 * comes first and the envelope (timestamp, process fields...) is grouped under a closed
 * `context` node, so the protocol fields are on screen without scrolling.
 */
import type { TaskContext } from '../../core/packet.ts';
import type { TraceeEvent } from '../../event/types.ts';
import { clockTime } from '../../format/time.ts';
import type { ProcessInfo } from '../store/process-table.ts';

export interface TreeNode {
  /** Unique in the tree: the path of keys from the root. */
  id: string;
  label: string;
  /** Leaf text (JSON: strings quoted); undefined on a branch. */
  value?: string;
  children?: TreeNode[];
  /** The event this node belongs to; none for the process section. */
  event?: TraceeEvent;
  /** Arg name then JSON keys below it (['proto_tcp', 'srcPort']); [] outside args. */
  field: string[];
  /** The root of the event the packet's row shows: open at first, and where the cursor starts. */
  primary?: true;
}

/** One visible line of the tree. */
export interface TreeLine {
  node: TreeNode;
  depth: number;
  open: boolean;
}

/** Roots for `events` (in the order built: layer order); `primary` (else the last) is marked. */
export function eventTree(events: readonly TraceeEvent[], primary: TraceeEvent | undefined): TreeNode[] {
  const main = primary ?? events[events.length - 1];
  return events.map((event, i) => {
    const id = `${i}`;
    const args: TreeNode = {
      id: `${id}/args`,
      label: 'args',
      event,
      field: [],
      children: event.args.map((a) => valueNode(`${id}/args/${a.name}`, `${a.name} (${a.type})`, a.value, event, [a.name])),
    };
    const context: TreeNode = {
      id: `${id}/context`,
      label: 'context',
      event,
      field: [],
      children: Object.entries(event)
        // leaderName is netrec's, set only where the process's name differs from the thread's.
        .filter(([key, value]) => key !== 'args' && value !== undefined)
        .map(([key, value]) => valueNode(`${id}/context/${key}`, key, value, event, [])),
    };
    return {
      id,
      label: `${event.eventName} (${event.eventId})  ${clockTime(event.timestamp)}`,
      event,
      field: [],
      children: [args, context],
      ...(event === main ? { primary: true as const } : {}),
    };
  });
}

/**
 * The process section, first in the tree: the packet's task and the chain of its ancestors as
 * the recording's process table knows them. Without a task, one line says why.
 */
export function processNode(
  task: TaskContext | undefined,
  process: ProcessInfo | undefined,
  ancestors: readonly ProcessInfo[],
  hasProcessContext: boolean,
): TreeNode {
  if (task === undefined) {
    const why = hasProcessContext ? 'none recorded for this packet' : 'none (this capture carries no process context)';
    return { id: 'process', label: 'process', value: why, field: [] };
  }
  // The task is the thread that owns the socket; the process goes by its main thread's name.
  const name = task.leaderName ?? process?.task.processName ?? task.processName;
  const chain = [`${name}/${task.hostProcessId}`, ...ancestors.map((a) => `${a.task.processName}/${a.task.hostProcessId}`)];
  const leaf = (key: string, value: string | number | bigint): TreeNode => ({ id: `process/${key}`, label: key, value: String(value), field: [] });
  const children = [
    leaf('parents', chain.length > 1 ? chain.join(' ← ') : `${chain[0]} ← ${task.hostParentProcessId} (not in the process table)`),
    leaf('thread', `${JSON.stringify(task.processName)} tid ${task.hostThreadId}`),
    leaf('hostPid / hostTid / hostPpid', `${task.hostProcessId} / ${task.hostThreadId} / ${task.hostParentProcessId}`),
    leaf('pid / tid / ppid (namespace)', `${task.processId} / ${task.threadId} / ${task.parentProcessId}`),
    leaf('uid', task.userId),
    leaf('container', task.containerId === '' ? '(host)' : task.containerId),
  ];
  const exePath = process?.exePath ?? '';
  if (exePath !== '') children.splice(1, 0, leaf('exe', JSON.stringify(exePath)));
  return { id: 'process', label: `process ${chain.join(' ← ')}`, field: [], children };
}

/** Ids closed when a packet is first shown: every layer but the row's event, and its context. */
export function initiallyClosed(roots: readonly TreeNode[]): Set<string> {
  const closed = new Set<string>(['process']);
  for (const root of roots) {
    if (root.id === 'process') continue;
    if (root.primary !== true) closed.add(root.id);
    closed.add(`${root.id}/context`);
  }
  return closed;
}

/** The line of the row's event: where the tree's cursor starts. */
export function homeLine(lines: readonly TreeLine[]): number {
  const at = lines.findIndex((line) => line.node.primary === true);
  return Math.max(at, 0);
}

export function visibleLines(roots: readonly TreeNode[], closed: ReadonlySet<string>): TreeLine[] {
  const lines: TreeLine[] = [];
  const walk = (node: TreeNode, depth: number): void => {
    const open = node.children !== undefined && !closed.has(node.id);
    lines.push({ node, depth, open });
    if (open) for (const child of node.children!) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return lines;
}

/** "+ label", "- label", or "  label: value", indented. */
export function lineText(line: TreeLine): string {
  const { node, depth, open } = line;
  const indent = '  '.repeat(depth);
  if (node.children === undefined) return `${indent}  ${node.label}: ${node.value}`;
  const size = node.children.length;
  const hint = open || size === 0 ? '' : `  {${size}}`;
  return `${indent}${open ? '-' : '+'} ${node.label}${size === 0 ? ': []' : hint}`;
}

function valueNode(id: string, label: string, value: unknown, event: TraceeEvent, field: string[]): TreeNode {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value);
    return {
      id,
      label,
      event,
      field,
      children: entries.map(([key, v]) => valueNode(`${id}/${key}`, key, v, event, field.length === 0 ? [] : [...field, key])),
    };
  }
  return { id, label, value: leafText(value), event, field };
}

function leafText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  return String(value);
}
