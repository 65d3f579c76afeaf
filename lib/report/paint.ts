import { Chalk } from 'chalk';

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

const byLevel = new Map<number, Paint>([[0, plain]]);

/** Styles for a colour level (0 none … 3 truecolor); level 0 is `plain` itself. */
export function paintFor(level: 0 | 1 | 2 | 3): Paint {
	let paint = byLevel.get(level);
	if (paint === undefined) {
		const chalk = new Chalk({ level });
		paint = { bold: chalk.bold, red: chalk.red, yellow: chalk.yellow, dim: chalk.dim, cyan: chalk.cyan };
		byLevel.set(level, paint);
	}
	return paint;
}
