import type { Paint } from './paint.js';

/** `1 ref`, `2 refs`. */
export function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

/** A source line cut to 100 characters. */
export function clip(text: string): string {
	return text.length <= 100 ? text : `${text.slice(0, 99)}…`;
}

/** Milliseconds as a person reads them: `840 µs`, `12.5 ms`, `3.2 s`, `4 min`. */
export function formatAge(ms: number): string {
	if (ms < 1) return `${Math.round(ms * 1000)} µs`;
	if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
	return `${Math.round(ms / 60_000)} min`;
}

/** One stack line as printed, indented; the folded `… N frames in dependencies` line has no `at`. */
export function stackLine(frame: string, paint: Paint): string {
	return paint.dim(frame.startsWith('…') ? `      ${frame}` : `      at ${frame}`);
}

/**
 * Whatever was thrown, as one line, without ever throwing: `Error: close failed` for an error, `String(value)`
 * otherwise, and `[object Object]` where that fails (a null-prototype object, a `toString` that throws).
 */
export function describeThrown(value: unknown): string {
	try {
		return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
	} catch {
		try {
			return Object.prototype.toString.call(value);
		} catch {
			// A revoked Proxy, or one whose traps throw: only its type is left to say.
			return `[${typeof value}]`;
		}
	}
}

/** The `stack` of a thrown error, or null when there is none, it is not text (a custom prepareStackTrace), or reading it throws. */
export function thrownStack(value: unknown): string | null {
	try {
		const stack: unknown = value instanceof Error ? value.stack : undefined;
		return typeof stack === 'string' ? stack : null;
	} catch {
		return null;
	}
}
