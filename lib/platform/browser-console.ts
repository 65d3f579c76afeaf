/*
 * Reports in a browser's console, shaped for DevTools: each report is one collapsed group titled with its
 * first line, its text styled with `%c` (the renderers' ANSI styles are turned into CSS here, so no
 * escape code reaches the console), and, when it names sites, an Error-like object whose stack lists them
 * as generated frames: DevTools maps those through the page's source maps and makes each one a link.
 */

/** What this file needs of `console` (a worker's and a page's alike). */
export interface ConsoleLike {
	log(...args: unknown[]): void;
	groupCollapsed(...args: unknown[]): void;
	groupEnd(): void;
}

const SGR = /\u001B\[(\d+)m/g;
const COLORS: Readonly<Record<number, string>> = { 31: '#d93025', 33: '#b06000', 36: '#1a73e8' };

/** A `%c`-styled console call's arguments: a format string of `%c%s` pairs, then each pair's CSS and text. */
export function styled(text: string): unknown[] {
	const parts: string[] = [];
	const styles: string[] = [];
	let bold = false;
	let dim = false;
	let color: string | null = null;
	const css = (): string => [bold ? 'font-weight:bold' : '', dim ? 'opacity:0.65' : '', color === null ? '' : `color:${color}`].filter(Boolean).join(';');
	let last = 0;
	const push = (piece: string): void => {
		if (piece === '') return;
		parts.push(piece);
		styles.push(css());
	};
	for (const match of text.matchAll(SGR)) {
		push(text.slice(last, match.index));
		last = match.index + match[0].length;
		const code = Number(match[1]);
		if (code === 1) bold = true;
		else if (code === 2) dim = true;
		else if (code === 22) bold = dim = false;
		else if (code === 39) color = null;
		else if (code === 0) [bold, dim, color] = [false, false, null];
		else color = COLORS[code] ?? color;
	}
	push(text.slice(last));
	// Text goes in as `%s` arguments, so a `%` in an object's name or a path is never read as a directive.
	return [parts.map(() => '%c%s').join(''), ...parts.flatMap((part, i) => [styles[i], part])];
}

const SITE = /\bat (?:(\S[^()]*?) \()?((?:https?|file|blob|webpack|vite|chrome-extension|moz-extension):\/\/?[^\s()]+?):(\d+):(\d+)\)?/;

/**
 * The sites a report's lines name (`at fn (url:line:column)` or `at url:line:column`), once each (named
 * where any line names the function), as V8-style stack lines: the form DevTools parses, maps and links
 * in a logged error.
 */
export function siteFrames(text: string): string[] {
	const frames = new Map<string, string>();
	for (const line of text.replace(SGR, '').split('\n')) {
		const match = SITE.exec(line);
		if (match === null) continue;
		const where = `${match[2]}:${match[3]}:${match[4]}`;
		if (match[1] !== undefined) frames.set(where, `    at ${match[1]} (${where})`);
		else if (!frames.has(where)) frames.set(where, `    at ${where}`);
	}
	return [...frames.values()];
}

/** A report's body cut into its sections (a line indented by two spaces starts one), each with its first line. */
export function sections(body: string): { readonly heading: string; readonly text: string }[] {
	const found: { heading: string; lines: string[] }[] = [];
	for (const line of body.split('\n')) {
		if (/^ {2}\S/.test(line.replace(SGR, '')) || found.length === 0) found.push({ heading: line.replace(SGR, '').trim(), lines: [] });
		found[found.length - 1]!.lines.push(line);
	}
	return found.map(({ heading, lines }) => ({ heading, text: lines.join('\n') }));
}

/** An object DevTools shows as an error whose stack is `frames`; printed as its stack, it links each one. */
export function sitesError(title: string, frames: readonly string[]): Error {
	const error = new Error(title);
	// Named so that DevTools heads it `reftrace: disposed here …`, as its description is `name: message` when the stack starts so.
	error.name = 'reftrace';
	Object.defineProperty(error, 'stack', { configurable: true, writable: true, enumerable: false, value: `reftrace: ${title}\n${frames.join('\n')}` });
	return error;
}

/** Writes one report to the console as a collapsed group; never throws. */
export function writeConsoleReport(out: ConsoleLike, text: string): void {
	try {
		const trimmed = text.replace(/\n+$/, '');
		const cut = trimmed.indexOf('\n');
		const title = cut < 0 ? trimmed : trimmed.slice(0, cut);
		const body = cut < 0 ? '' : trimmed.slice(cut + 1);
		if (body === '') {
			out.log(...styled(title));
			return;
		}
		out.groupCollapsed(...styled(title));
		out.log(...styled(body));
		// Each section's sites as one linked, source-mapped stack in DevTools.
		for (const section of sections(body)) {
			const frames = siteFrames(section.text);
			if (frames.length > 0) out.log(sitesError(section.heading, frames));
		}
		out.groupEnd();
	} catch {
		// A console that throws: nowhere left to say it.
	}
}
