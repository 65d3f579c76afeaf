/*
 * JSON text in pieces: what `JSON.stringify(value, null, 2)` writes, without ever holding it as one string.
 * A report of a few million live references is hundreds of megabytes of text, past V8's longest string
 * (about 512 MB: a RangeError and no file at 2.5M references); written in pieces it needs only the piece.
 */

// Arrays of primitives up to this length, and objects of primitives, are written by JSON.stringify whole.
const WHOLE = 64;

const isPrimitive = (value: unknown): boolean => value === null || typeof value !== 'object';
// What JSON.stringify leaves out of an object (and writes as null in an array).
const isOmitted = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** Pretty-printed `value`, nested at `indent`: JSON.stringify's own text for it, so re-indenting its line breaks is enough (strings never hold one). */
export function whole(value: unknown, indent: string): string {
	const text = JSON.stringify(value, null, 2);
	return indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
}

/** The pieces of `value` pretty-printed as JSON.stringify(value, null, 2) does, nested at `indent`. */
export function* pieces(value: unknown, indent: string): Generator<string> {
	if (isPrimitive(value)) {
		yield JSON.stringify(value) ?? 'null';
		return;
	}
	const toJSON = (value as { toJSON?: unknown }).toJSON;
	if (typeof toJSON === 'function') {
		yield* pieces(toJSON.call(value), indent);
		return;
	}
	const inner = `${indent}  `;
	if (Array.isArray(value)) {
		if (value.length <= WHOLE && value.every(isPrimitive)) {
			yield whole(value, indent);
			return;
		}
		yield '[';
		for (let i = 0; i < value.length; i++) {
			yield `${i === 0 ? '' : ','}\n${inner}`;
			const item: unknown = value[i];
			yield* pieces(isOmitted(item) ? null : item, inner);
		}
		yield `\n${indent}]`;
		return;
	}
	const entries = Object.entries(value as object).filter(([, v]) => !isOmitted(v));
	if (entries.every(([, v]) => isPrimitive(v))) {
		yield whole(value, indent);
		return;
	}
	yield '{';
	for (let i = 0; i < entries.length; i++) {
		const [key, item] = entries[i]!;
		yield `${i === 0 ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
		yield* pieces(item, inner);
	}
	yield `\n${indent}}`;
}

/**
 * `JSON.stringify(value, null, 2)` and a final line break, as strings of about `size` characters (a single
 * leaf longer than that comes whole). For plain data: arrays, plain objects, primitives, `toJSON`.
 */
export function* jsonChunks(value: unknown, size = CHUNK): Generator<string> {
	for (const chunk of chunked(pieces(value, ''), size)) if (chunk !== null) yield chunk;
	yield '\n';
}

// Characters a chunk gathers before it is written.
const CHUNK = 1 << 16;

/**
 * `text`'s pieces joined into strings of about `size` characters. A null piece (a pause: the producer is
 * about to let the event loop run) sends out what has been gathered, then itself.
 */
export function* chunked(text: Iterable<string | null>, size = CHUNK): Generator<string | null> {
	let buffer: string[] = [];
	let length = 0;
	for (const piece of text) {
		if (piece === null) {
			if (length > 0) yield buffer.join('');
			buffer = [];
			length = 0;
			yield null;
			continue;
		}
		buffer.push(piece);
		length += piece.length;
		if (length >= size) {
			yield buffer.join('');
			buffer = [];
			length = 0;
		}
	}
	if (length > 0) yield buffer.join('');
}
