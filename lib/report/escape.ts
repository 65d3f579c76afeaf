/*
 * Text reports print strings the application chose (names, owners, test names, thrown messages) and
 * strings found on disk (file paths, source lines). A newline there could forge a report line, an escape
 * sequence retitle or clear the terminal, a bidirectional override reorder what is shown. Every string
 * enters a text report escaped: a violation's data through `escapeReport`, the lines of a leak report as
 * they are printed (`escapeControls`); JSON reports and the data on errors keep the raw strings.
 */

// C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional
// embedding, override and isolate controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(char: string): string {
	const code = char.charCodeAt(0);
	return SHORT[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** `text` with every control character written as an escape (`\n`, `\x1b`, `\u202e`); the same string when there is none. */
export function escapeControls(text: string): string {
	return CONTROL.test(text) ? text.replace(CONTROLS, escapeChar) : text;
}

// Multi-line by design (the stack of what onZero threw): its line breaks stay, each line is escaped.
const MULTI_LINE = new Set(['detail']);

// Report data is a shallow tree (error → events → strings); deeper values are not report text.
const MAX_DEPTH = 8;

function escapeValue(value: unknown, key: string, depth: number): unknown {
	if (typeof value === 'string') {
		return MULTI_LINE.has(key) ? value.split(/\r?\n/).map(escapeControls).join('\n') : escapeControls(value);
	}
	if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return value;
	if (Array.isArray(value)) {
		let copy: unknown[] | null = null;
		value.forEach((item: unknown, index) => {
			const escaped = escapeValue(item, key, depth + 1);
			if (escaped !== item) (copy ??= [...value])[index] = escaped;
		});
		return copy ?? value;
	}
	let copy: Record<string, unknown> | null = null;
	for (const [name, item] of Object.entries(value)) {
		const escaped = escapeValue(item, name, depth + 1);
		if (escaped !== item) (copy ??= { ...value })[name] = escaped;
	}
	return copy ?? value;
}

/**
 * Plain report data (own enumerable properties, arrays) with every string in it safe to print: control
 * characters escaped. Returns `data` itself when nothing needed escaping, so the common case copies nothing.
 */
export function escapeReport<T extends object>(data: T): T {
	return escapeValue(data, '', 0) as T;
}
