/** The few styles reports use; injected so renderers stay pure and tests read plain text. */
export interface Paint {
	readonly bold: (text: string) => string;
	readonly red: (text: string) => string;
	readonly yellow: (text: string) => string;
	readonly dim: (text: string) => string;
	readonly cyan: (text: string) => string;
}

const identity = (text: string): string => text;

/** No colour at all. */
export const plain: Paint = { bold: identity, red: identity, yellow: identity, dim: identity, cyan: identity };

/*
 * ANSI SGR sequences, written here rather than through chalk: chalk reads the environment as it loads,
 * which crashes the import on Deno without --allow-env. The five styles use the basic codes, which every
 * colour level shows the same. As chalk does, a style's close inside the text re-opens it (so `bold` inside
 * `dim` does not end the dim), and lines are closed and re-opened at each line break.
 */
function style(open: number, close: number): (text: string) => string {
	const on = `\u001B[${open}m`;
	const off = `\u001B[${close}m`;
	return (text) => {
		const inner = text.includes(off) ? text.replaceAll(off, off + on) : text;
		return on + (inner.includes('\n') ? inner.replace(/\r?\n/g, (br) => off + br + on) : inner) + off;
	};
}

const ansi: Paint = { bold: style(1, 22), red: style(31, 39), yellow: style(33, 39), dim: style(2, 22), cyan: style(36, 39) };

/** Styles for a colour level (0 none … 3 truecolor). */
export function paintFor(level: 0 | 1 | 2 | 3): Paint {
	return level === 0 ? plain : ansi;
}
