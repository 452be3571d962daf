/**
 * The static shape of every event's args, for resolving and type-checking filter paths: the
 * event schema itself (src/event/schema.ts), where each struct and arg is declared once.
 * test/filter/schema.test.ts checks it against built events at run time, key order included.
 */
export { EVENT_ARGS, type ArgSchema, type FieldType, type LeafType } from '../event/schema.ts';
