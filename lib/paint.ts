import { Chalk, supportsColorStderr } from 'chalk';

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

/**
 * Colour level for stderr, decided once at load. chalk reads FORCE_COLOR but not NO_COLOR; as in Node
 * itself, FORCE_COLOR wins when both are set.
 */
function stderrLevel(env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
	const detected = supportsColorStderr === false ? 0 : supportsColorStderr.level;
	if (env['FORCE_COLOR'] !== undefined) return detected;
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
	return detected;
}

function fromChalk(level: 0 | 1 | 2 | 3): Paint {
	if (level === 0) return plain;
	const chalk = new Chalk({ level });
	return { bold: chalk.bold, red: chalk.red, yellow: chalk.yellow, dim: chalk.dim, cyan: chalk.cyan };
}

/** Styles for reports written to stderr, honouring NO_COLOR and FORCE_COLOR. */
export const paintStderr: Paint = fromChalk(stderrLevel(process.env));
