/**
 * The fields of a task (TaskContext), once: their order is their position in a .nev task record
 * (src/nev/records.ts encodes and decodes by walking this list; docs/format.md lists the
 * positions), their kind says how they are stored and checked, and the TaskContext type is
 * derived from it. Tracee's JSON envelope (src/event/schema.ts) names which of them it shows.
 * Append only: a position is part of the file format.
 */

/** How a task field is held: `u64` as bigint, `int`/`uint` as a JS number, `string`. */
export type TaskFieldKind = 'u64' | 'int' | 'uint' | 'string';

export interface TaskFieldSpec {
  readonly kind: TaskFieldKind;
  /** Absent from recordings made before the format minor version that added it. */
  readonly optional?: true;
}

export const TASK_FIELDS = {
  threadStartTime: { kind: 'u64' },
  processId: { kind: 'int' },
  threadId: { kind: 'int' },
  parentProcessId: { kind: 'int' },
  hostProcessId: { kind: 'int' },
  hostThreadId: { kind: 'int' },
  hostParentProcessId: { kind: 'int' },
  userId: { kind: 'uint' },
  mountNamespace: { kind: 'uint' },
  pidNamespace: { kind: 'uint' },
  /** The thread's name (comm), as Tracee reports it: `isc-net-0000` for a thread of dig. */
  processName: { kind: 'string' },
  hostName: { kind: 'string' },
  cgroupId: { kind: 'u64' },
  containerId: { kind: 'string' },
  /**
   * netrec (format 1.1): the process's name, i.e. its thread-group leader's comm (`dig`). Absent
   * when not recorded (older recordings, converted captures).
   */
  leaderName: { kind: 'string', optional: true },
} as const satisfies Record<string, TaskFieldSpec>;

export type TaskFieldName = keyof typeof TASK_FIELDS;

/** TASK_FIELDS seen through the common spec type, for code that walks it. */
export const TASK_FIELD_SPECS: Readonly<Record<TaskFieldName, TaskFieldSpec>> = TASK_FIELDS;

/** The field names in record order. */
export const TASK_FIELD_NAMES = Object.keys(TASK_FIELDS) as TaskFieldName[];

type KindValue<K extends TaskFieldKind> = K extends 'u64' ? bigint : K extends 'string' ? string : number;
type Fields = typeof TASK_FIELDS;
type RequiredFields = { -readonly [K in keyof Fields as Fields[K] extends { optional: true } ? never : K]: KindValue<Fields[K]['kind']> };
type OptionalFields = { -readonly [K in keyof Fields as Fields[K] extends { optional: true } ? K : never]?: KindValue<Fields[K]['kind']> };

/**
 * The task (thread) that owns a packet's socket, as recorded. Absent for pcap input. Field names
 * follow Tracee's envelope; 64-bit values are bigint.
 */
export type TaskContext = RequiredFields & OptionalFields;
