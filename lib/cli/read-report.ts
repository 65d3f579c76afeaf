import { SNAPSHOT_SCHEMA, type Snapshot } from '../data.js';

// The first layout, before nested counts and revocation; still read.
const FIRST_SCHEMA = 'reftrace.snapshot/1';

/*
 * Reading a report file given on the command line: every way it can be wrong gets its own clear message,
 * naming the file.
 */

/** A problem with the command line or its input: printed as `reftrace: <message>`, exit status 2. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}

/** What the command line reads files with; `null` when the file cannot be read, with the reason. */
export type ReadFile = (path: string) => { readonly text: string } | { readonly error: string };

/** Reads `path`'s text. @throws UsageError naming the file and the reason. */
export function readText(read: ReadFile, path: string, what: string): string {
	const result = read(path);
	if ('error' in result) throw new UsageError(`cannot read ${what} ${path}: ${result.error}`);
	return result.text;
}

/** Reads a JSON file. @throws UsageError when it cannot be read or is not JSON. */
export function readJson(read: ReadFile, path: string, what: string): unknown {
	const text = readText(read, path, what);
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new UsageError(`${path} is not a ${what}: it is not JSON (${(error as Error).message})`);
	}
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a JSON report (`REFTRACE_REPORT`, `REFTRACE_DUMP`, `snapshot()` saved).
 * @throws UsageError for a missing or unreadable file, one that is not a reftrace report, a report of
 * another kind or of an unknown schema version, or one missing the fields every report has.
 */
export function readReport(read: ReadFile, path: string): Snapshot {
	const data = readJson(read, path, 'reftrace report');
	const schema = isObject(data) ? data['schema'] : undefined;
	if (typeof schema !== 'string' || !schema.startsWith('reftrace.')) {
		throw new UsageError(`${path} is not a reftrace report: it has no "schema": "${SNAPSHOT_SCHEMA}" field (write one with REFTRACE_REPORT=path)`);
	}
	if (schema !== SNAPSHOT_SCHEMA && schema !== FIRST_SCHEMA) {
		const kind = schema.startsWith('reftrace.snapshot/') ? 'a report of an unknown schema version' : 'not a JSON report';
		throw new UsageError(`${path} is ${kind} (${schema}); this version of reftrace reads ${FIRST_SCHEMA} and ${SNAPSHOT_SCHEMA}`);
	}
	const report = data as Record<string, unknown>;
	for (const field of ['objects', 'sites', 'stacks']) {
		if (!Array.isArray(report[field])) throw new UsageError(`${path} is not a complete reftrace report: "${field}" is missing or not a list`);
	}
	for (const field of ['totals', 'violations']) {
		if (!isObject(report[field])) throw new UsageError(`${path} is not a complete reftrace report: "${field}" is missing or not an object`);
	}
	return schema === FIRST_SCHEMA ? upgraded(report) : (data as Snapshot);
}

/*
 * Version 1 had no nested counts and no revocation: its objects hold nothing and are not revoked, its
 * references are held by no nested count. Read as version 2, so that every command reads both.
 */
function upgraded(report: Record<string, unknown>): Snapshot {
	const objects = (report['objects'] as unknown[]).map((object) => {
		if (!isObject(object)) return object;
		const refs = Array.isArray(object['refs']) ? object['refs'].map((ref: unknown) => (isObject(ref) ? { heldBy: null, ...ref } : ref)) : object['refs'];
		return { holds: null, revoked: null, ...object, refs };
	});
	return { ...report, schema: SNAPSHOT_SCHEMA, objects } as unknown as Snapshot;
}
